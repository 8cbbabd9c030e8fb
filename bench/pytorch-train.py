#!/usr/bin/env python3
"""The baseline of bench/train.ts: PyTorch (CPU) training the notebook's best model, the same
layers, initialisation-independent work, optimizer and batch, on the same number of threads.
Prints one JSON line. Usage: pytorch-train.py BATCH THREADS SECONDS"""
import json
import sys
import time

import torch
from torch import nn

batch, threads, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(1)

# Conv(64,3) -> Conv(48,3) -> Flatten -> Dense(48) -> Dense(10): 1,355,978 parameters, as in Keras.
model = nn.Sequential(
    nn.Conv2d(1, 64, 3), nn.ReLU(),
    nn.Conv2d(64, 48, 3), nn.ReLU(),
    nn.Flatten(),
    nn.Linear(24 * 24 * 48, 48), nn.ReLU(),
    nn.Linear(48, 10),
)
# Keras' layout is NHWC; PyTorch's fastest CPU path for this model is its default NCHW.
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
loss_fn = nn.CrossEntropyLoss()  # log-softmax + NLL: Keras' softmax + sparse categorical crossentropy
xs = torch.rand(batch, 1, 28, 28)
ys = torch.arange(batch) % 10


def step():
    optimizer.zero_grad()
    loss = loss_fn(model(xs), ys)
    loss.backward()
    optimizer.step()


step()  # warm-up: first-call allocations and primitive creation
steps, start = 0, time.perf_counter()
while steps < 3 or time.perf_counter() - start < seconds:
    step()
    steps += 1
elapsed = time.perf_counter() - start


def blas():
    """The BLAS library this process really loaded (Debian's alternatives decide it)."""
    with open('/proc/self/maps') as maps:
        libs = {line.split()[-1] for line in maps if 'blas' in line.lower() and line.split()[-1].startswith('/')}
    return sorted(libs)


print(json.dumps({
    'engine': 'pytorch', 'version': torch.__version__, 'batch': batch, 'threads': torch.get_num_threads(),
    'steps': steps, 'seconds': elapsed, 'samplesPerSecond': steps * batch / elapsed,
    'params': sum(p.numel() for p in model.parameters()), 'blas': blas(),
}))
