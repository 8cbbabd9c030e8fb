{
  "targets": [
    {
      "target_name": "hypertune_native",
      "sources": [
        "src/addon.cc",
        "src/engine.cc",
        "src/conv.cc",
        "src/matmul.cc",
        "src/eltwise.cc",
        "src/reduce.cc",
        "src/pool.cc",
        "src/adam.cc",
        "src/bf16.cc",
        "src/conv-bf16.cc",
        "src/matmul-bf16.cc",
        "src/matmul-primitive.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O3", "-fopenmp", "-ffp-contract=off", "-fno-math-errno"],
      "libraries": ["-ldnnl", "-fopenmp", "-ffp-contract=off"]
    }
  ]
}
