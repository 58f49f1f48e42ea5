// Writes a tiny, deterministic BERT-style sentence-embedding model (tokenizer + ONNX) that transformers.js loads from a local folder, for tests.
//
// Usage: node scripts/make-test-model.mjs DIR
//
// Output (byte-identical on every run):
//   DIR/config.json, DIR/tokenizer.json, DIR/tokenizer_config.json,
//   DIR/special_tokens_map.json, DIR/vocab.txt, DIR/onnx/model.onnx
//
// Vocabulary (no word list from any corpus; everything below is generated or typed here):
//   [PAD] [UNK] [CLS] [SEP] [MASK] (ids 0-4), single chars a-z 0-9 and punctuation, "##" + a-z/0-9,
//   2-digit pieces, all 2- and 3-letter a-z pieces with and without "##", a short typed list of
//   common English/computing words (>= 4 letters) and "##" suffixes. Greedy longest-match WordPiece
//   then splits unknown words into 3-letter pieces, e.g. "milvus" -> "mil", "##vus".
//
// Model: last_hidden_state[b, s] = weight(id) * H[id div 256] (*) L[id mod 256]  (elementwise),
//   with H, L seeded random +-1 tables, so distinct tokens get near-orthogonal vectors of equal norm.
//   weight: 0 for the special tokens (zero vectors), 0.2 for punctuation, 0.3 for a few stopwords,
//   1 otherwise; positions with attention_mask 0 are zero. A sequence with no content token at all
//   (empty text, only [UNK]) gets a fixed fallback vector so that mean pooling + normalize is finite.
//   Mean pooling therefore gives a weighted bag-of-subwords vector: a lexical similarity signal.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const HIDDEN = 768;
const MAX_LEN = 512;
const LO_BASE = 256;
const SEED = 0x5eed_2024;
const OPSET = 13;
const IR_VERSION = 8;

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
// ASCII punctuation (BertPreTokenizer splits every one of these off as its own word) plus a few
// common Unicode punctuation marks (category P) seen in English prose.
const ASCII_PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const UNICODE_PUNCT = '\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u2022\u00b7\u00a7\u00ab\u00bb\u00bf\u00a1';

// Typed by hand: very common English and generic computing words of 4+ letters (shorter words are
// already in the vocabulary as whole 2/3-letter pieces).
const COMMON_WORDS = `
about above after again against also always among another answer around available back based
because been before being below best better between both build built call called case cause change
check class client close code come common complete config configuration connect connection contain
contains content could create created current data database default define delete describe
different document documents does done down during each easy either enable error even every
example except exist field file files find first follow following form format from function general
give given good great group have help here high however include including index information input
insert install instance into just keep kind know large last later least left less like line list
little local long look made main make many memory method might more most much must name need
never next node none number object often once only open option order other output over page part
path people place point possible process program provide public query question read real record
remove request result results return right same save schema search second section server service
session should show similar since size small some something source start state still storage store
string such support sure system table take text than that their them then there these they thing
think this those three through time together type under until update upon used user using value
values vector very want well were what when where which while will with within without word words
work would write year your
`
  .trim()
  .split(/\s+/);

// Typed by hand: common English suffixes of 4+ letters as continuation pieces.
const COMMON_SUFFIXES = [
  'tion',
  'tions',
  'sion',
  'sions',
  'ation',
  'ations',
  'ment',
  'ments',
  'ness',
  'able',
  'ible',
  'ings',
  'ions',
  'ally',
  'ence',
  'ance',
  'ship',
  'less',
  'ical',
  'ward',
  'ting',
  'ated',
  'ized',
  'izes',
  'ying',
  'ies',
  'ers',
  'est',
  'ful',
  'ity',
];

// Typed by hand: function words whose vectors are down-weighted (a crude IDF).
const STOPWORDS = `
a an and or of to in on at by for from with is are was were be been being it its this that these
those as into how what where when which who why does do did can will would should could has have
had not no but if then than so such there their they them we you your our i me my he she his her
also just about
`
  .trim()
  .split(/\s+/);

const WEIGHT_SPECIAL = 0;
const WEIGHT_PUNCT = 0.2;
const WEIGHT_STOPWORD = 0.3;

function usage() {
  process.stderr.write('usage: node scripts/make-test-model.mjs DIR\n');
  process.exit(2);
}

/** splitmix32: small seeded PRNG returning uint32 values. */
function splitmix32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function buildVocab() {
  /** @type {string[]} */
  const tokens = [];
  const seen = new Set();
  const add = (t) => {
    if (!seen.has(t)) {
      seen.add(t);
      tokens.push(t);
    }
  };
  SPECIALS.forEach(add);
  for (const c of LETTERS + DIGITS + ASCII_PUNCT + UNICODE_PUNCT) add(c);
  for (const c of LETTERS + DIGITS) add(`##${c}`);
  for (const a of DIGITS) for (const b of DIGITS) add(a + b);
  for (const a of DIGITS) for (const b of DIGITS) add(`##${a}${b}`);
  const two = [];
  for (const a of LETTERS) for (const b of LETTERS) two.push(a + b);
  const three = [];
  for (const p of two) for (const c of LETTERS) three.push(p + c);
  for (const w of two) add(w);
  for (const w of three) add(w);
  for (const w of two) add(`##${w}`);
  for (const w of three) add(`##${w}`);
  for (const w of COMMON_WORDS) add(w);
  for (const s of COMMON_SUFFIXES) add(`##${s}`);
  return tokens;
}

function tokenWeights(vocab) {
  const punct = new Set([...ASCII_PUNCT, ...UNICODE_PUNCT]);
  const stop = new Set(STOPWORDS);
  const specials = new Set(SPECIALS);
  const w = new Float32Array(vocab.length);
  vocab.forEach((t, i) => {
    if (specials.has(t)) w[i] = WEIGHT_SPECIAL;
    else if (punct.has(t)) w[i] = WEIGHT_PUNCT;
    else if (stop.has(t)) w[i] = WEIGHT_STOPWORD;
    else w[i] = 1;
  });
  return w;
}

/** Rademacher (+1/-1) float table of the given length. */
function signTable(rand, length) {
  const t = new Float32Array(length);
  for (let i = 0; i < length; i += 32) {
    const bits = rand();
    for (let j = 0; j < 32 && i + j < length; j++) t[i + j] = (bits >>> j) & 1 ? 1 : -1;
  }
  return t;
}

/** JSON with two-space indent; `vocab` objects are written in id order (JS would hoist "0".."99"). */
function json(value) {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function vocabJson(vocab, indent) {
  const pad = ' '.repeat(indent + 2);
  const lines = vocab.map((t, i) => `${pad}${JSON.stringify(t)}: ${i}`);
  return `{\n${lines.join(',\n')}\n${' '.repeat(indent)}}`;
}

function tokenizerJson(vocab) {
  const id = (t) => vocab.indexOf(t);
  const special = (t) => ({
    id: id(t),
    content: t,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const PLACEHOLDER = '__VOCAB_PLACEHOLDER__';
  const tok = {
    version: '1.0',
    truncation: { direction: 'Right', max_length: MAX_LEN, strategy: 'LongestFirst', stride: 0 },
    padding: null,
    added_tokens: SPECIALS.map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: PLACEHOLDER,
    },
  };
  const text = json(tok);
  const needle = `"vocab": "${PLACEHOLDER}"`;
  const at = text.indexOf(needle);
  const indent = at - text.lastIndexOf('\n', at) - 1;
  return text.replace(needle, `"vocab": ${vocabJson(vocab, indent)}`);
}

function tokenizerConfigJson(vocab) {
  const added = {};
  SPECIALS.forEach((t) => {
    added[String(vocab.indexOf(t))] = {
      content: t,
      lstrip: false,
      normalized: false,
      rstrip: false,
      single_word: false,
      special: true,
    };
  });
  return json({
    added_tokens_decoder: added,
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    do_basic_tokenize: true,
    do_lower_case: true,
    mask_token: '[MASK]',
    model_max_length: MAX_LEN,
    never_split: null,
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: '[UNK]',
  });
}

function configJson(vocabSize) {
  return json({
    architectures: ['BertModel'],
    model_type: 'bert',
    attention_probs_dropout_prob: 0.1,
    classifier_dropout: null,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: HIDDEN,
    initializer_range: 0.02,
    intermediate_size: 3072,
    layer_norm_eps: 1e-12,
    max_position_embeddings: MAX_LEN,
    num_attention_heads: 12,
    num_hidden_layers: 1,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    torch_dtype: 'float32',
    type_vocab_size: 2,
    use_cache: true,
    vocab_size: vocabSize,
    'transformers.js_config': { dtype: 'fp32' },
  });
}

function onnxModel(vocab) {
  const require = createRequire(import.meta.url);
  const { onnx } = require('onnx-proto');
  const { FLOAT, INT64 } = onnx.TensorProto.DataType;
  const A = onnx.AttributeProto.AttributeType;

  const rand = splitmix32(SEED);
  const hiRows = Math.ceil(vocab.length / LO_BASE);
  const hiTable = signTable(rand, hiRows * HIDDEN);
  const loTable = signTable(rand, LO_BASE * HIDDEN);
  const fallback = signTable(rand, HIDDEN);
  const weights = tokenWeights(vocab);

  const raw = (typed) => new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  const f32 = (name, dims, data) => ({ name, dims, dataType: FLOAT, rawData: raw(data) });
  const i64 = (name, dims, values) => ({
    name,
    dims,
    dataType: INT64,
    rawData: raw(BigInt64Array.from(values, (v) => BigInt(v))),
  });
  const intAttr = (name, i) => ({ name, type: A.INT, i });
  const intsAttr = (name, ints) => ({ name, type: A.INTS, ints });
  const node = (opType, input, output, attribute = []) => ({
    name: `${opType}_${output[0]}`,
    opType,
    input,
    output,
    attribute,
  });
  const valueInfo = (name, elemType, dims) => ({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });

  const BS = ['batch_size', 'sequence_length'];
  const graph = {
    name: 'rag_test_embedding',
    input: [
      valueInfo('input_ids', INT64, BS),
      valueInfo('attention_mask', INT64, BS),
      valueInfo('token_type_ids', INT64, BS),
    ],
    output: [valueInfo('last_hidden_state', FLOAT, [...BS, HIDDEN])],
    initializer: [
      i64('lo_base', [], [LO_BASE]),
      i64('last_axis', [1], [-1]),
      f32('zero', [], new Float32Array([0])),
      f32('hi_table', [hiRows, HIDDEN], hiTable),
      f32('lo_table', [LO_BASE, HIDDEN], loTable),
      f32('token_weight', [vocab.length], weights),
      f32('fallback', [HIDDEN], fallback),
    ],
    node: [
      node('Div', ['input_ids', 'lo_base'], ['hi_idx']),
      node('Mod', ['input_ids', 'lo_base'], ['lo_idx']),
      node('Gather', ['hi_table', 'hi_idx'], ['hi_vec'], [intAttr('axis', 0)]),
      node('Gather', ['lo_table', 'lo_idx'], ['lo_vec'], [intAttr('axis', 0)]),
      node('Mul', ['hi_vec', 'lo_vec'], ['tok_vec']),
      node('Gather', ['token_weight', 'input_ids'], ['tok_w'], [intAttr('axis', 0)]),
      node('Cast', ['attention_mask'], ['mask_f'], [intAttr('to', FLOAT)]),
      node('Mul', ['tok_w', 'mask_f'], ['w']),
      node('ReduceMax', ['w'], ['w_max'], [intsAttr('axes', [1]), intAttr('keepdims', 1)]),
      node('Equal', ['w_max', 'zero'], ['is_empty']),
      node('Cast', ['is_empty'], ['is_empty_f'], [intAttr('to', FLOAT)]),
      node('Mul', ['is_empty_f', 'mask_f'], ['fb_w']),
      node('Unsqueeze', ['w', 'last_axis'], ['w3']),
      node('Unsqueeze', ['fb_w', 'last_axis'], ['fb_w3']),
      node('Mul', ['tok_vec', 'w3'], ['content']),
      node('Mul', ['fb_w3', 'fallback'], ['fb_vec']),
      node('Add', ['content', 'fb_vec'], ['last_hidden_state']),
    ],
  };
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'rag-make-test-model',
    producerVersion: '1',
    docString: 'Tiny deterministic lexical test embedding model (not a trained model).',
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

function main() {
  const dir = process.argv[2];
  if (!dir || process.argv.length > 3) usage();
  const started = process.hrtime.bigint();

  const vocab = buildVocab();
  const files = {
    'config.json': configJson(vocab.length),
    'tokenizer.json': tokenizerJson(vocab),
    'tokenizer_config.json': tokenizerConfigJson(vocab),
    'special_tokens_map.json': json({
      cls_token: '[CLS]',
      mask_token: '[MASK]',
      pad_token: '[PAD]',
      sep_token: '[SEP]',
      unk_token: '[UNK]',
    }),
    'vocab.txt': `${vocab.join('\n')}\n`,
    'onnx/model.onnx': onnxModel(vocab),
  };

  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const hash = createHash('sha256');
  let bytes = 0;
  for (const [name, content] of Object.entries(files)) {
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    writeFileSync(join(dir, name), buf);
    hash.update(name).update(buf);
    bytes += buf.length;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stderr.write(
    `make-test-model: wrote ${Object.keys(files).length} files (${(bytes / 1e6).toFixed(2)} MB, ` +
      `vocab ${vocab.length}, hidden ${HIDDEN}, sha256 ${hash.digest('hex').slice(0, 12)}) to ${dir} in ${ms.toFixed(0)} ms\n`,
  );
}

main();
