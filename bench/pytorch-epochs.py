#!/usr/bin/env python3
"""The baseline of bench/epochs.ts: whole epochs of one configuration of the notebook's search in
PyTorch (CPU), as a trial trains it: the first LIMIT training images, the last 10% validating (Keras'
validation_split, no shuffle before the split), batch 32, the training set reshuffled each epoch,
Adam (lr, eps 1e-7 as Keras), then a validation pass over the held-out images in batches of 32.
An epoch's time is its training loop plus its validation. The allocator and BLAS threads come from
the environment bench/epochs.ts sets (bench/pytorch-env.ts). Prints one JSON line.
Usage: pytorch-epochs.py CONFIG_JSON THREADS LIMIT EPOCHS [SEED (torch.manual_seed; 1)]
  CONFIG_JSON: {"conv1": 64, "k1": 3, "conv2": 48, "k2": 3, "dense": 48, "lr": 0.001}"""
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

config, threads, limit, epochs = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
BATCH = 32
torch.set_num_threads(threads)
torch.manual_seed(seed)

xs, ys = common.load_fashion_mnist(limit)
train_count = int(len(xs) * 0.9)  # Keras: split_at = int(count * (1 - validation_split))
train_x, train_y, val_x, val_y = xs[:train_count], ys[:train_count], xs[train_count:], ys[train_count:]
model = common.build_model(config['conv1'], config['k1'], config['conv2'], config['k2'], config['dense'])
optimizer = torch.optim.Adam(model.parameters(), lr=config.get('lr', 1e-3), eps=1e-7)
loss_fn = nn.CrossEntropyLoss()  # log-softmax + NLL: Keras' softmax + sparse categorical crossentropy


def train_epoch():
    model.train()
    order = torch.randperm(train_count)
    loss_sum, correct = 0.0, 0
    for start in range(0, train_count, BATCH):
        idx = order[start:start + BATCH]
        xb, yb = train_x[idx], train_y[idx]
        optimizer.zero_grad()
        out = model(xb)
        loss = loss_fn(out, yb)
        loss.backward()
        optimizer.step()
        # Keras reports loss and accuracy per epoch: the same bookkeeping per batch.
        loss_sum += loss.item() * len(idx)
        correct += (out.argmax(1) == yb).sum().item()
    return loss_sum / train_count, correct / train_count


def validate():
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(val_x), BATCH):
            out = model(val_x[start:start + BATCH])
            yb = val_y[start:start + BATCH]
            loss_sum += loss_fn(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
    return loss_sum / max(1, len(val_x)), correct / max(1, len(val_x))


results = []
for epoch in range(1, epochs + 1):
    t0 = time.perf_counter()
    loss, acc = train_epoch()
    t1 = time.perf_counter()
    val_loss, val_acc = validate()
    t2 = time.perf_counter()
    results.append({'epoch': epoch, 'seconds': t2 - t0, 'trainSeconds': t1 - t0, 'valSeconds': t2 - t1,
                    'loss': loss, 'accuracy': acc, 'valLoss': val_loss, 'valAccuracy': val_acc})

print(json.dumps({
    'engine': 'pytorch', 'config': config, 'seed': seed, 'train': train_count, 'validation': len(val_x), 'epochs': results,
    'params': sum(p.numel() for p in model.parameters()), **common.settings(),
}))
