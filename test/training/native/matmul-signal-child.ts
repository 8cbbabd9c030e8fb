// Child of signals.test.ts: native matMul (argv[3] OpenMP threads, default 1) in a loop for argv[2] ms with a SIGUSR2 handler installed
// (Node then runs its handler on whichever thread a signal lands on); prints 'ready', then 'done N',
// then exits when its stdin closes (the parent's flood has stopped by then: a signal that arrives
// while a process tears its handlers down would kill it).
import * as tf from '@tensorflow/tfjs';
import { NATIVE_BACKEND, registerNativeBackend } from '../../../src/training/native/index.js';

registerNativeBackend({ threads: Number(process.argv[3] ?? 1) });
await tf.setBackend(NATIVE_BACKEND);
process.on('SIGUSR2', () => {});
const a = tf.randomNormal([32, 27648]); // the reference model's first dense layer, batch 32
const b = tf.randomNormal([27648, 48]);
console.log('ready');
const until = performance.now() + Number(process.argv[2]);
let n = 0;
while (performance.now() < until) {
  tf.tidy(() => tf.matMul(a, b).dataSync());
  n++;
}
console.log(`done ${n}`);
process.stdin.on('end', () => process.exit(0)).resume();
