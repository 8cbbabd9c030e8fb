"""What bench/pytorch-train.py and bench/pytorch-epochs.py share: Fashion-MNIST read from Debian's
gzipped IDX files as the service reads it (first `limit` items, pixels / 255, no shuffle before the
split), the notebook template's model in PyTorch with Keras' initialisation, and the process's
settings, printed with each result so a run says what it ran on. Loaded by path (its name has a
dash, like every file here)."""
import gzip
import os

import numpy as np
import torch
from torch import nn

DATASET_DIR = os.environ.get('DATASET_DIR', '/usr/share/datasets/fashion-mnist')


def load_fashion_mnist(limit):
    """(images float32 [n, 1, 28, 28] in [0, 1], labels int64 [n]): the first `limit` training items."""
    with gzip.open(os.path.join(DATASET_DIR, 'train-images-idx3-ubyte.gz')) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:limit]
    with gzip.open(os.path.join(DATASET_DIR, 'train-labels-idx1-ubyte.gz')) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)[:limit]
    return torch.from_numpy(images.astype(np.float32) / 255), torch.from_numpy(labels.astype(np.int64))


def build_model(conv1, k1, conv2, k2, dense):
    """Conv(conv1, k1) -> Conv(conv2, k2) -> Flatten -> Dense(dense) -> Dense(10), 'valid' padding, ReLU,
    as the search's template. Keras' glorot_uniform kernels and zero biases (PyTorch's xavier_uniform_
    uses the same fans). NCHW: PyTorch's fastest CPU layout for these convolutions."""
    side = 28 - (k1 - 1) - (k2 - 1)
    model = nn.Sequential(
        nn.Conv2d(1, conv1, k1), nn.ReLU(),
        nn.Conv2d(conv1, conv2, k2), nn.ReLU(),
        nn.Flatten(),
        nn.Linear(side * side * conv2, dense), nn.ReLU(),
        nn.Linear(dense, 10),
    )
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return model


def loaded(word):
    """The libraries with `word` in their path that this process really mapped."""
    with open('/proc/self/maps') as maps:
        libs = {line.split()[-1] for line in maps if word in line.lower() and line.split()[-1].startswith('/')}
    return sorted(libs)


def blas():
    """The BLAS library this process really loaded (Debian's alternatives decide it)."""
    return loaded('blas')


def settings():
    """What decides PyTorch's CPU speed here, as this process saw it."""
    return {
        'version': torch.__version__, 'threads': torch.get_num_threads(), 'blas': blas(),
        'allocator': os.environ.get('HYPERTUNE_BENCH_ALLOCATOR', 'default'),
        'mallocLibraries': loaded('jemalloc') + loaded('tcmalloc'),  # a preload that did not load shows as []
        'env': {k: os.environ[k] for k in ('OMP_NUM_THREADS', 'OMP_WAIT_POLICY', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'LD_PRELOAD', 'GLIBC_TUNABLES') if k in os.environ},
    }
