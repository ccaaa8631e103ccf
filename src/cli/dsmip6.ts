#!/usr/bin/env node
/** `dsmip6`: the operator's command (subcommands). */
import { DECODE_USAGE, runDecode } from './decode.js';
import { SIM_USAGE, runSimCommand } from './sim.js';
import { runCtl } from './ctl.js';
import { runTestbed } from './testbed.js';
import { runBench } from './bench.js';
import { runDemo } from '../demo/demo.js';

const USAGE = `usage: dsmip6 <command> [options]

commands:
  demo [--state DIR] [--prefix P]
                            the tour (root): testbed up, daemons, mr home -> fn2 -> fn1 -> nat
                            -> fn3 -> home with traffic, a timeline, everything removed after
  decode [HEX|-] [--json]   decode an IPv4/IPv6/UDP-4191/Mobility Header packet given as hex
  sim [--seed N] ...        run the deterministic whole-system simulator
  ctl status|bc|bul|stats   read a running dsmip6d through its control socket
  testbed up|attach|...     the namespace testbed (root): up, attach, detach, status, exec, daemons, down
  bench [--quick] [--json]  benchmarks (root): throughput, handover latency, HA scale
  help                      this text

${DECODE_USAGE}
${SIM_USAGE}`;

function main(argv: string[]): number | Promise<number> {
  const [cmd, ...args] = argv;
  const write = (s: string): void => { process.stdout.write(`${s}\n`); };
  switch (cmd) {
    case 'decode': return runDecode(args, write);
    case 'sim': return runSimCommand(args, write);
    case 'ctl': return runCtl(args, write, (e) => { process.stderr.write(`${e}\n`); });
    case 'testbed': return runTestbed(args, write);
    case 'bench': return runBench(args, write);
    case 'demo': return runDemo(args, write);
    case 'help': case '--help': case '-h': write(USAGE); return 0;
    default:
      process.stderr.write(
        `${cmd === undefined ? 'no command given' : `unknown command '${cmd}'`}\n${USAGE}\n`);
      return 2;
  }
}

void Promise.resolve(main(process.argv.slice(2))).then((code) => { process.exitCode = code; });
