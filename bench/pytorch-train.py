#!/usr/bin/env python3
"""The baseline of bench/train.ts: PyTorch (CPU) training the notebook's best model (conv 64/k3,
conv 48/k3, dense 48: 1,355,978 parameters) on real Fashion-MNIST batches (the first 54,000
training images, reshuffled each pass, as an epoch would), the same optimizer and batch, on the
same number of threads. The allocator and BLAS threads come from the environment bench/train.ts
sets (bench/pytorch-env.ts). Prints one JSON line. Usage: pytorch-train.py BATCH THREADS SECONDS"""
import importlib.util
import json
import os
import sys
import time

import torch
from torch import nn

spec = importlib.util.spec_from_file_location('pytorch_model', os.path.join(os.path.dirname(__file__), 'pytorch-model.py'))
common = importlib.util.module_from_spec(spec)
spec.loader.exec_module(common)

batch, threads, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(1)

xs, ys = common.load_fashion_mnist(54000)
model = common.build_model(64, 3, 48, 3, 48)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)  # Keras' epsilon
loss_fn = nn.CrossEntropyLoss()  # log-softmax + NLL: Keras' softmax + sparse categorical crossentropy
order, cursor = torch.randperm(len(xs)), 0


def step():
    global order, cursor
    if cursor + batch > len(order):
        order, cursor = torch.randperm(len(xs)), 0
    idx = order[cursor:cursor + batch]
    cursor += batch
    optimizer.zero_grad()
    loss = loss_fn(model(xs[idx]), ys[idx])
    loss.backward()
    optimizer.step()


step()  # warm-up: first-call allocations and primitive creation
steps, start = 0, time.perf_counter()
while steps < 3 or time.perf_counter() - start < seconds:
    step()
    steps += 1
elapsed = time.perf_counter() - start

print(json.dumps({
    'engine': 'pytorch', 'batch': batch, 'steps': steps, 'seconds': elapsed, 'samplesPerSecond': steps * batch / elapsed,
    'params': sum(p.numel() for p in model.parameters()), **common.settings(),
}))
