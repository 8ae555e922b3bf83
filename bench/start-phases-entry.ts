// What bench/start-phases.mjs bundles from a checkout's src/: the pieces of
// `lstm-stream start` that it times one by one.
export { readSource } from '../src/io/read-source.ts';
export { readModelFile } from '../src/format/read-model-file.ts';
export { buildModel } from '../src/format/build-model.ts';
export { kernelModule } from '../src/math/wasm/kernel-module.ts';
export { stepKernelsFor } from '../src/model/step-kernels.ts';
export { Suggester } from '../src/cli/suggester.ts';
