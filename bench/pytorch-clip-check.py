#!/usr/bin/env python3
"""How many training images does the model give p(true class) < 1e-7 (or > 1 - 1e-7) after each
epoch? There tfjs' sparse categorical cross-entropy, computed from probabilities clipped to
[1e-7, 1 - 1e-7], gives no gradient where PyTorch's (from the logits) still does. The notebook's
best model, PyTorch, the parity run's settings (bench/parity.ts). Usage: pytorch-clip-check.py SEED"""
import importlib.util, os, sys, torch
from torch import nn
spec = importlib.util.spec_from_file_location('m', os.path.join(os.path.dirname(__file__), 'pytorch-model.py')); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
torch.set_num_threads(1); torch.manual_seed(int(sys.argv[1]))
xs, ys = m.load_fashion_mnist(60000); n = 54000
tx, ty = xs[:n], ys[:n]
model = m.build_model(64, 3, 48, 3, 48)
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7); lf = nn.CrossEntropyLoss()
for epoch in range(1, 4):
    model.train(); order = torch.randperm(n)
    for s in range(0, n, 32):
        idx = order[s:s+32]; opt.zero_grad(); lf(model(tx[idx]), ty[idx]).backward(); opt.step()
    model.eval()
    with torch.no_grad():
        lp = torch.cat([torch.log_softmax(model(tx[s:s+1000]), 1) for s in range(0, n, 1000)])
    pt = lp[torch.arange(n), ty]
    print(epoch, 'p_true<1e-7:', int((pt < -16.118).sum()), 'p_true>1-1e-7:', int((pt > -1e-7).sum()), 'of', n, flush=True)
