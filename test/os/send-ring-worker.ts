/**
 * Run as a worker thread by send-ring.test.ts: reports whether this thread got the process's send
 * ring (it must not while another thread owns it: the ring has one producer).
 */
import { parentPort } from 'node:worker_threads';
import { SendRing } from '../../src/os/linux/send-ring.js';

let answer: string;
try {
  answer = SendRing.shared() === undefined ? 'none' : 'ring';
} catch (e) {
  answer = `threw ${String(e)}`;
}
parentPort?.postMessage(answer);
