import { ErrorCode } from '../../errors.ts';
import { InteropError } from '../errors.ts';

/**
 * How tensor names of a state dict become the names fromTorchStateDict
 * reads (`emb.weight`, `rnn.weight_ih_l0` …, `out.weight`, `out.bias`): a map
 * from file name to our name (null drops the tensor; unlisted names get the
 * default aliases), or a function (its string is final, null drops,
 * undefined falls back to the default aliases).
 */
export type TorchKeyMap = Readonly<Record<string, string | null>> | ((name: string) => string | null | undefined);

// Prefixes wrappers add: DistributedDataParallel / DataParallel ("module.") and torch.compile ("_orig_mod.").
const WRAPPER_PREFIX = /^(?:module\.|_orig_mod\.)+/;
const EMBEDDING = /^(?:encoder|embedding|embeddings|embed|emb|word_embeddings|tok_embeddings|token_embedding|wte)\.weight$/;
const RECURRENT = /^(?:(.+)\.)?((?:weight|bias)_(?:ih|hh)_l\d+(?:_reverse)?)$/;
const HEAD = /^(?:decoder|fc|linear|head|output|out|proj|classifier|lm_head)\.(weight|bias)$/;

/**
 * Renames a state dict's keys for fromTorchStateDict: the caller's keyMap
 * first, then the defaults: wrapper prefixes stripped, common embedding
 * names (`encoder.weight`, `embedding.weight` …) → `emb.weight`, the one
 * recurrent module's `<name>.weight_ih_l0` … → `rnn.weight_ih_l0` …, common
 * output-layer names (`decoder.*`, `fc.*`, `linear.*`, `lm_head.*` …) → `out.*`.
 * Returns [file name, our name] pairs (dropped names left out). Throws
 * InteropError DUPLICATE_TENSOR when two names land on one, and
 * UNEXPECTED_TENSOR when the recurrent weights come from two modules.
 * Cold path.
 */
export function mapTorchKeys(names: readonly string[], keyMap?: TorchKeyMap): [string, string][] {
  const pairs: [string, string][] = [];
  const recurrentPrefixes = new Set<string>();
  for (const name of names) {
    let mapped: string | null | undefined;
    if (typeof keyMap === 'function') mapped = keyMap(name);
    else if (keyMap !== undefined && Object.hasOwn(keyMap, name)) mapped = keyMap[name];
    if (mapped === null) continue;
    if (mapped !== undefined) {
      if (typeof mapped !== 'string') throw new TypeError(`keyMap gave ${String(mapped)} for ${name}; expected a string, null or undefined`);
      pairs.push([name, mapped]);
      continue;
    }
    const bare = name.replace(WRAPPER_PREFIX, '');
    const recurrent = RECURRENT.exec(bare);
    if (EMBEDDING.test(bare)) pairs.push([name, 'emb.weight']);
    else if (HEAD.test(bare)) pairs.push([name, `out.${(HEAD.exec(bare) as RegExpExecArray)[1]}`]);
    else if (recurrent) {
      recurrentPrefixes.add(recurrent[1] ?? '');
      pairs.push([name, `rnn.${recurrent[2]}`]);
    } else pairs.push([name, bare]);
  }
  if (recurrentPrefixes.size > 1) {
    throw new InteropError(
      ErrorCode.UNEXPECTED_TENSOR,
      `the state dict has recurrent weights from ${recurrentPrefixes.size} modules (${[...recurrentPrefixes].map((p) => JSON.stringify(p)).join(', ')}); one stack is supported (pick one with keyMap)`,
    );
  }
  const owner = new Map<string, string>();
  for (const [from, to] of pairs) {
    const other = owner.get(to);
    if (other !== undefined) throw new InteropError(ErrorCode.DUPLICATE_TENSOR, `tensors ${JSON.stringify(other)} and ${JSON.stringify(from)} both map to ${to}`);
    owner.set(to, from);
  }
  return pairs;
}
