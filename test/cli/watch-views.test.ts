// The terminal face of --watch, on a fake TTY: a bar per running trial with its epochs and
// metrics, the trial table filling in above the bars as trials finish, nothing left over at the end.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { specInfo } from '../../src/cli/spec-info.js';
import { BarsView } from '../../src/cli/watch-views.js';

class FakeTty extends Writable {
  text = '';
  isTTY = true;
  columns = 160;
  _write(chunk: Buffer, _enc: string, done: () => void) { this.text += chunk.toString(); done(); }
}

const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
const tick = () => new Promise((r) => setTimeout(r, 250)); // the bars redraw on a timer

describe('BarsView', () => {
  it('draws a bar per running trial and logs each finished trial as a table row', async () => {
    const spec = specInfo({
      training: { epochs: 2 }, budget: { maxTrials: 2 },
      hyperparameters: [{ name: 'units', type: 'choice', values: [16, 128] }, { name: 'act', type: 'choice', values: ['relu', 'tanh'] }],
    });
    const tty = new FakeTty();
    const view = new BarsView(tty, spec);
    const e = (event: string, data: Record<string, unknown>) => view.event({ id: undefined, event, data: { searchId: 's', trialId: `t${data.number}`, ...data } });
    e('trial.started', { number: 1, hyperparameters: { units: 128, act: 'relu' } });
    e('trial.started', { number: 2, hyperparameters: { units: 16 } });
    e('trial.epoch', { number: 1, epoch: 1, loss: 0.5, valAccuracy: 0.8125, durationMs: 10 });
    await tick();
    const drawn = plain(tty.text);
    expect(drawn).toMatch(/trial 1 .+ 1\/2 epochs {2}loss 0\.5000, val_accuracy 0\.8125/);
    expect(drawn).toMatch(/trial 2 .+ 0\/2 epochs {2}starting/);
    e('trial.epoch', { number: 1, epoch: 2, loss: 0.25, valAccuracy: 0.875, durationMs: 10 });
    e('trial.finished', { number: 1, status: 'completed', valAccuracy: 0.875, epochs: 2, error: null, modelId: 'm1' });
    e('trial.finished', { number: 2, status: 'failed', valAccuracy: null, epochs: 0, error: 'loss is NaN', modelId: null });
    e('search.finished', { status: 'completed' });
    view.close();
    const out = plain(tty.text);
    expect(out).toMatch(/^# +status +units +act +val_accuracy +epochs$/m);
    expect(out).toMatch(/^1 +completed +128 +relu +0\.8750 +2$/m);
    expect(out).toMatch(/^2 +failed +16 +0$/m); // no act: a conditional hyperparameter stays empty
    expect(out).toMatch(/^ {2}trial 2 failed: 0 epochs, loss is NaN$/m);
    expect(out.indexOf('1  completed')).toBeLessThan(out.indexOf('2  failed'));
  });
});
