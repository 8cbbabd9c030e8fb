#!/usr/bin/env python3
"""The GPU baseline of bench/train.ts (--pytorch cuda): PyTorch training the notebook's best model
(conv 64/k3, conv 48/k3, dense 48: 1,355,978 parameters) on the first 54,000 Fashion-MNIST training
images, as the `cuda` backend is meant to: the data uploaded to the device once, each pass's order
drawn and the batches gathered on the device. Eager fp32 with PyTorch's defaults: TF32 for cuDNN
convolutions on, for matmuls off (both printed). Warm-up steps first (cuDNN picks its algorithms
and the caching allocator fills at the first calls), then timed steps in chunks, the host waiting
for the device only at each chunk's end, so the timing covers the device's work and not just its
queueing. Prints one JSON line. `--device cpu` runs the same code on the CPU, to check the script
where there is no GPU. Usage: pytorch-cuda-train.py BATCH SECONDS [--device cuda] [--warmup N]"""
import argparse
import importlib.util
import json
import os
import time

import torch
from torch import nn

spec = importlib.util.spec_from_file_location('pytorch_model', os.path.join(os.path.dirname(__file__), 'pytorch-model.py'))
common = importlib.util.module_from_spec(spec)
spec.loader.exec_module(common)

parser = argparse.ArgumentParser()
parser.add_argument('batch', type=int)
parser.add_argument('seconds', type=float)
parser.add_argument('--device', default='cuda')
parser.add_argument('--warmup', type=int, help='steps before timing (default 20 on a GPU, 2 on the CPU, where a step is slow)')
args = parser.parse_args()
device = torch.device(args.device)
batch = args.batch


def report(**fields):
    print(json.dumps({'engine': 'pytorch', 'batch': batch, 'device': args.device, 'version': torch.__version__, **fields}), flush=True)


if device.type == 'cuda' and not torch.cuda.is_available():
    report(unavailable='torch.cuda.is_available() is False')
    raise SystemExit(0)


def sync():
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


torch.manual_seed(1)
xs, ys = common.load_fashion_mnist(54000)
xs, ys = xs.to(device), ys.to(device)
model = common.build_model(64, 3, 48, 3, 48).to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)  # Keras' epsilon
loss_fn = nn.CrossEntropyLoss()  # log-softmax + NLL: Keras' softmax + sparse categorical crossentropy
state = {'order': torch.randperm(len(xs), device=device), 'cursor': 0}


def step():
    if state['cursor'] + batch > len(xs):
        state['order'], state['cursor'] = torch.randperm(len(xs), device=device), 0
    idx = state['order'][state['cursor']:state['cursor'] + batch]
    state['cursor'] += batch
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(xs[idx]), ys[idx])
    loss.backward()
    optimizer.step()


for _ in range(args.warmup if args.warmup is not None else (20 if device.type == 'cuda' else 2)):
    step()
sync()
CHUNK = 10
steps, start = 0, time.perf_counter()
while steps < 3 or time.perf_counter() - start < args.seconds:
    for _ in range(CHUNK):
        step()
    steps += CHUNK
    sync()
elapsed = time.perf_counter() - start

report(
    deviceName=torch.cuda.get_device_name(device) if device.type == 'cuda' else 'CPU',
    steps=steps, seconds=elapsed, samplesPerSecond=steps * batch / elapsed,
    params=sum(p.numel() for p in model.parameters()),
    cudnnTf32=torch.backends.cudnn.allow_tf32, matmulTf32=torch.backends.cuda.matmul.allow_tf32,
    cudnn=torch.backends.cudnn.version() if device.type == 'cuda' else None,
    threads=torch.get_num_threads(),
)
