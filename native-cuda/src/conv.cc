// Conv2D forward, backward-data and backward-filter on cuDNN 9's legacy convolution API, NHWC
// activations as tfjs keeps them and filters as cuDNN's NHWC filter layout KRSC ([out, kh, kw, in];
// the TypeScript side transposes tfjs' HWIO filters to it and gradients back). Padding reaches
// this file symmetric only (cuDNN has no asymmetric padding): the TypeScript side pads the input
// itself for the asymmetric cases of 'same'. Per geometry and direction, the descriptors and the
// algorithm are made once (the heuristics' first choice whose workspace fits) and cached; the
// workspace comes from the caching allocator. TF32: CUDNN_DEFAULT_MATH lets cuDNN use TF32 tensor
// cores for float32; strict fp32 keeps only CUDNN_FMA_MATH algorithms.
#include <unordered_map>

#include "context.h"
#include "napi-args.h"

namespace hc {
namespace {

constexpr size_t WORKSPACE_MAX = size_t{1} << 30;  // 1 GiB: an algorithm wanting more is skipped

enum Direction { FORWARD, BACKWARD_DATA, BACKWARD_FILTER };

/** [n, ih, iw, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, ph, pw] */
struct Geometry { int n, ih, iw, ci, oh, ow, co, kh, kw, sh, sw, dh, dw, ph, pw; };

struct Plan {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  int algo = 0;
  size_t workspace = 0;
};

Geometry geometry(const Napi::Value& v) {
  const std::vector<int64_t> g = ints(v);
  if (g.size() != 15) throw std::runtime_error("cuda addon: conv geometry has 15 numbers");
  int a[15];
  for (int i = 0; i < 15; i++) a[i] = static_cast<int>(g[i]);
  return Geometry{a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14]};
}

/** Descriptors for a geometry, checking cuDNN's output size is tfjs' (else shapes disagree silently). */
Plan describe(const Geometry& g, bool tf32) {
  Plan p;
  HC_CHECK(cudnnCreateTensorDescriptor(&p.x));
  HC_CHECK(cudnnCreateTensorDescriptor(&p.y));
  HC_CHECK(cudnnCreateFilterDescriptor(&p.w));
  HC_CHECK(cudnnCreateConvolutionDescriptor(&p.conv));
  HC_CHECK(cudnnSetTensor4dDescriptor(p.x, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, g.n, g.ci, g.ih, g.iw));
  HC_CHECK(cudnnSetTensor4dDescriptor(p.y, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, g.n, g.co, g.oh, g.ow));
  HC_CHECK(cudnnSetFilter4dDescriptor(p.w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC, g.co, g.ci, g.kh, g.kw));
  // Cross-correlation is what tfjs (and every framework) calls convolution.
  HC_CHECK(cudnnSetConvolution2dDescriptor(p.conv, g.ph, g.pw, g.sh, g.sw, g.dh, g.dw, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
  HC_CHECK(cudnnSetConvolutionMathType(p.conv, tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH));
  int n = 0, c = 0, h = 0, w = 0;
  HC_CHECK(cudnnGetConvolution2dForwardOutputDim(p.conv, p.x, p.w, &n, &c, &h, &w));
  if (n != g.n || c != g.co || h != g.oh || w != g.ow) {
    throw std::runtime_error("cuda addon: cuDNN's convolution output " + std::to_string(h) + "x" + std::to_string(w) + " is not tfjs' " +
                             std::to_string(g.oh) + "x" + std::to_string(g.ow));
  }
  return p;
}

/** The first heuristic result that succeeded, fits the workspace cap and (strict) is plain FMA. */
template <typename Perf>
void choose(Plan& p, const Perf* results, int count, bool tf32, const char* what) {
  for (int i = 0; i < count; i++) {
    const Perf& r = results[i];
    if (r.status != CUDNN_STATUS_SUCCESS || r.memory > WORKSPACE_MAX) continue;
    if (!tf32 && r.mathType != CUDNN_FMA_MATH) continue;
    p.algo = static_cast<int>(r.algo);
    p.workspace = r.memory;
    HC_CHECK(cudnnSetConvolutionMathType(p.conv, r.mathType));
    return;
  }
  throw std::runtime_error(std::string("cuda addon: cuDNN offers no usable ") + what + " algorithm for this convolution");
}

Plan& plan(const Geometry& g, Direction d) {
  Context& ctx = context();
  static std::unordered_map<std::string, Plan> cache;
  std::string key = std::to_string(d) + (ctx.tf32() ? "t" : "f");
  for (int v : {g.n, g.ih, g.iw, g.ci, g.oh, g.ow, g.co, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.ph, g.pw}) key += "," + std::to_string(v);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  Plan p = describe(g, ctx.tf32());
  int count = 0;
  if (d == FORWARD) {
    cudnnConvolutionFwdAlgoPerf_t r[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    HC_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(ctx.cudnn(), p.x, p.w, p.conv, p.y, CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &count, r));
    choose(p, r, count, ctx.tf32(), "forward");
  } else if (d == BACKWARD_DATA) {
    cudnnConvolutionBwdDataAlgoPerf_t r[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
    HC_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(ctx.cudnn(), p.w, p.y, p.conv, p.x, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &count, r));
    choose(p, r, count, ctx.tf32(), "backward-data");
  } else {
    cudnnConvolutionBwdFilterAlgoPerf_t r[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
    HC_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(ctx.cudnn(), p.x, p.y, p.conv, p.w, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &count, r));
    choose(p, r, count, ctx.tf32(), "backward-filter");
  }
  return cache.emplace(key, p).first->second;
}

/** Workspace from the caching allocator for the length of one call (stream order keeps it safe). */
class Workspace {
 public:
  explicit Workspace(size_t bytes) : ptr_(context().allocator().alloc(bytes)) {}
  ~Workspace() { context().allocator().free(ptr_); }
  void* get() const { return ptr_; }

 private:
  void* ptr_;
};

// conv2dForward(x, wKRSC, y, geometry)
Napi::Value Forward(const Napi::CallbackInfo& info) {
  const Geometry g = geometry(info[3]);
  Plan& p = plan(g, FORWARD);
  Workspace ws(p.workspace);
  const float one = 1.0f, zero = 0.0f;
  HC_CHECK(cudnnConvolutionForward(context().cudnn(), &one, p.x, ptr(info[0]), p.w, ptr(info[1]), p.conv,
                                   static_cast<cudnnConvolutionFwdAlgo_t>(p.algo), ws.get(), p.workspace, &zero, p.y, ptr(info[2])));
  return info.Env().Undefined();
}

// conv2dBackwardData(dy, wKRSC, dx, geometry)
Napi::Value BackwardData(const Napi::CallbackInfo& info) {
  const Geometry g = geometry(info[3]);
  Plan& p = plan(g, BACKWARD_DATA);
  Workspace ws(p.workspace);
  const float one = 1.0f, zero = 0.0f;
  HC_CHECK(cudnnConvolutionBackwardData(context().cudnn(), &one, p.w, ptr(info[1]), p.y, ptr(info[0]), p.conv,
                                        static_cast<cudnnConvolutionBwdDataAlgo_t>(p.algo), ws.get(), p.workspace, &zero, p.x, ptr(info[2])));
  return info.Env().Undefined();
}

// conv2dBackwardFilter(x, dy, dwKRSC, geometry)
Napi::Value BackwardFilter(const Napi::CallbackInfo& info) {
  const Geometry g = geometry(info[3]);
  Plan& p = plan(g, BACKWARD_FILTER);
  Workspace ws(p.workspace);
  const float one = 1.0f, zero = 0.0f;
  HC_CHECK(cudnnConvolutionBackwardFilter(context().cudnn(), &one, p.x, ptr(info[0]), p.y, ptr(info[1]), p.conv,
                                          static_cast<cudnnConvolutionBwdFilterAlgo_t>(p.algo), ws.get(), p.workspace, &zero, p.w, ptr(info[2])));
  return info.Env().Undefined();
}

}  // namespace

void initConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dForward", Napi::Function::New(env, Forward));
  exports.Set("conv2dBackwardData", Napi::Function::New(env, BackwardData));
  exports.Set("conv2dBackwardFilter", Napi::Function::New(env, BackwardFilter));
}

}  // namespace hc
