#!/usr/bin/env python3
"""Writes test/fixtures/tiny-bert: a tiny BERT-shaped ONNX model with RANDOM weights and a real
WordPiece tokenizer whose vocabulary is built from MovieLens titles and genres.

The model is for testing the transformers.js loading path offline. Its vectors carry no meaning.
Needs Debian `python3-onnx` (onnx + numpy); run with `/usr/bin/python3 scripts/make-tiny-bert.py`.
Deterministic: the same inputs give byte-identical files.
"""

import csv
import json
import os
import sys
import unicodedata
from collections import Counter

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MOVIES = os.path.join(ROOT, 'data', 'ml-latest-small', 'movies.csv')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'tiny-bert')

SEED = 20240501
HIDDEN = 32
HEADS = 4
LAYERS = 2
INTERMEDIATE = 64
MAX_POSITIONS = 128
TYPE_VOCAB = 2
MAX_WORDS = 3000
SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
# Words of the item text template ("{title}. Genres: {genres}. Tags: {tags}") that titles may lack.
TEMPLATE_WORDS = ['genres', 'tags']


# --- tokenizer -------------------------------------------------------------------------------------

def normalise(text):
    """BertNormalizer(lowercase=True, strip_accents=None): lower-case, NFD, drop combining marks."""
    text = ''.join(' ' if unicodedata.category(c).startswith('Z') or c in '\t\n\r' else c for c in text)
    text = unicodedata.normalize('NFD', text.lower())
    return ''.join(c for c in text if unicodedata.category(c) != 'Mn')


def is_punct(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith('P')


def pre_tokenize(text):
    """BertPreTokenizer: split on whitespace, every punctuation character is its own word."""
    words = []
    for chunk in text.split():
        cur = ''
        for c in chunk:
            if is_punct(c):
                if cur:
                    words.append(cur)
                    cur = ''
                words.append(c)
            else:
                cur += c
        if cur:
            words.append(cur)
    return words


def build_vocab():
    words = Counter()
    # All printable ASCII too: item texts contain characters titles lack, e.g. the genre separator '|'.
    chars = {chr(c) for c in range(33, 127) if chr(c) not in 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'}
    with open(MOVIES, newline='', encoding='utf-8') as f:
        for row in csv.DictReader(f):
            text = normalise(f"{row['title']} {row['genres'].replace('|', ' ')}")
            for w in pre_tokenize(text):
                words[w] += 1
                chars.update(w)
    vocab = list(SPECIALS)
    # Every character alone and as a continuation piece, so any MovieLens word tokenizes without [UNK].
    for c in sorted(chars):
        vocab.append(c)
    for c in sorted(chars):
        vocab.append('##' + c)
    seen = set(vocab)
    common = [w for w, n in sorted(words.items(), key=lambda kv: (-kv[1], kv[0])) if n >= 2 and len(w) > 1]
    for w in TEMPLATE_WORDS + common[:MAX_WORDS]:
        if w not in seen:
            seen.add(w)
            vocab.append(w)
    return {tok: i for i, tok in enumerate(vocab)}


def special(tok, vocab):
    return {'id': tok, 'ids': [vocab[tok]], 'tokens': [tok]}


def tokenizer_json(vocab):
    added = [
        {'id': vocab[t], 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,
         'normalized': False, 'special': True}
        for t in SPECIALS
    ]
    seq = lambda seq_id, type_id: {'Sequence': {'id': seq_id, 'type_id': type_id}}  # noqa: E731
    tok = lambda t, type_id: {'SpecialToken': {'id': t, 'type_id': type_id}}  # noqa: E731
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': added,
        'normalizer': {'type': 'BertNormalizer', 'clean_text': True, 'handle_chinese_chars': True,
                       'strip_accents': None, 'lowercase': True},
        'pre_tokenizer': {'type': 'BertPreTokenizer'},
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [tok('[CLS]', 0), seq('A', 0), tok('[SEP]', 0)],
            'pair': [tok('[CLS]', 0), seq('A', 0), tok('[SEP]', 0), seq('B', 1), tok('[SEP]', 1)],
            'special_tokens': {'[CLS]': special('[CLS]', vocab), '[SEP]': special('[SEP]', vocab)},
        },
        'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
        'model': {'type': 'WordPiece', 'unk_token': '[UNK]', 'continuing_subword_prefix': '##',
                  'max_input_chars_per_word': 100, 'vocab': vocab},
    }


TOKENIZER_CONFIG = {
    'tokenizer_class': 'BertTokenizer',
    'do_lower_case': True,
    'strip_accents': None,
    'tokenize_chinese_chars': True,
    'model_max_length': MAX_POSITIONS,
    'clean_up_tokenization_spaces': True,
    'unk_token': '[UNK]',
    'sep_token': '[SEP]',
    'pad_token': '[PAD]',
    'cls_token': '[CLS]',
    'mask_token': '[MASK]',
}


def model_config(vocab_size):
    return {
        '_comment': 'RANDOM weights: a test fixture, not a trained model (see README.md).',
        'architectures': ['BertModel'],
        'model_type': 'bert',
        'vocab_size': vocab_size,
        'hidden_size': HIDDEN,
        'num_hidden_layers': LAYERS,
        'num_attention_heads': HEADS,
        'intermediate_size': INTERMEDIATE,
        'hidden_act': 'gelu',
        'max_position_embeddings': MAX_POSITIONS,
        'type_vocab_size': TYPE_VOCAB,
        'layer_norm_eps': 1e-12,
        'pad_token_id': 0,
    }


# --- ONNX graph ------------------------------------------------------------------------------------

class Graph:
    def __init__(self, rng):
        self.rng = rng
        self.nodes = []
        self.inits = []
        self.n = 0

    def name(self, hint):
        self.n += 1
        return f'{hint}_{self.n}'

    def const(self, hint, array):
        name = self.name(hint)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def weight(self, hint, shape, std=0.02):
        return self.const(hint, self.rng.normal(0.0, std, size=shape).astype(np.float32))

    def op(self, op_type, inputs, hint=None, **attrs):
        out = self.name(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def linear(self, x, n_in, n_out, hint):
        y = self.op('MatMul', [x, self.weight(f'{hint}.weight', (n_in, n_out))])
        return self.op('Add', [y, self.const(f'{hint}.bias', np.zeros(n_out, np.float32))], hint)

    def layer_norm(self, x, hint):
        return self.op(
            'LayerNormalization',
            [x, self.const(f'{hint}.gamma', np.ones(HIDDEN, np.float32)),
             self.const(f'{hint}.beta', np.zeros(HIDDEN, np.float32))],
            hint, axis=-1, epsilon=1e-12,
        )


def build_model(vocab_size):
    g = Graph(np.random.default_rng(SEED))
    head_dim = HIDDEN // HEADS
    i64 = lambda *v: g.const('const', np.array(v, np.int64))  # noqa: E731
    f32 = lambda v: g.const('const', np.array(v, np.float32))  # noqa: E731

    # Embeddings: word + position (0..S-1) + token type, then LayerNorm.
    word = g.op('Gather', [g.weight('word_embeddings', (vocab_size, HIDDEN)), 'input_ids'])
    # Positions 0..S-1 are the first S rows of the table (1-D Shape/Slice: no scalar index maths).
    seq_len = g.op('Shape', ['input_ids'], start=1, end=2)
    pos_table = g.weight('position_embeddings', (MAX_POSITIONS, HIDDEN))
    pos = g.op('Slice', [pos_table, i64(0), seq_len, i64(0)])
    typ = g.op('Gather', [g.weight('token_type_embeddings', (TYPE_VOCAB, HIDDEN)), 'token_type_ids'])
    x = g.layer_norm(g.op('Add', [g.op('Add', [word, pos]), typ]), 'embeddings.LayerNorm')

    # Additive attention mask [B, 1, 1, S]: 0 where attended, -1e4 on padding.
    mask = g.op('Cast', ['attention_mask'], to=TensorProto.FLOAT)
    bias = g.op('Mul', [g.op('Sub', [f32(1.0), mask]), f32(-10000.0)])
    bias = g.op('Unsqueeze', [bias, i64(1, 2)])

    split_heads = i64(0, 0, HEADS, head_dim)
    merge_heads = i64(0, 0, HIDDEN)
    for layer in range(LAYERS):
        p = f'encoder.layer.{layer}'

        def heads(hint, perm):
            t = g.op('Reshape', [g.linear(x, HIDDEN, HIDDEN, f'{p}.attention.{hint}'), split_heads])
            return g.op('Transpose', [t], perm=perm)

        q = heads('query', [0, 2, 1, 3])
        k = heads('key', [0, 2, 3, 1])
        v = heads('value', [0, 2, 1, 3])
        scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, k]), f32(1.0 / np.sqrt(head_dim))]), bias])
        ctx = g.op('MatMul', [g.op('Softmax', [scores], axis=-1), v])
        ctx = g.op('Reshape', [g.op('Transpose', [ctx], perm=[0, 2, 1, 3]), merge_heads])
        attn = g.linear(ctx, HIDDEN, HIDDEN, f'{p}.attention.output.dense')
        x = g.layer_norm(g.op('Add', [attn, x]), f'{p}.attention.output.LayerNorm')

        h = g.linear(x, HIDDEN, INTERMEDIATE, f'{p}.intermediate.dense')
        # Exact GELU: 0.5 · h · (1 + erf(h / √2)).
        gelu = g.op('Mul', [g.op('Mul', [h, f32(0.5)]),
                            g.op('Add', [f32(1.0), g.op('Erf', [g.op('Div', [h, f32(np.sqrt(2.0))])])])])
        out = g.linear(gelu, INTERMEDIATE, HIDDEN, f'{p}.output.dense')
        x = g.layer_norm(g.op('Add', [out, x]), f'{p}.output.LayerNorm')

    g.nodes.append(helper.make_node('Identity', [x], ['last_hidden_state'], name='last_hidden_state'))
    ids = lambda n: helper.make_tensor_value_info(n, TensorProto.INT64, ['batch_size', 'sequence_length'])  # noqa: E731
    graph = helper.make_graph(
        g.nodes,
        'tiny_bert_random',
        [ids('input_ids'), ids('attention_mask'), ids('token_type_ids')],
        [helper.make_tensor_value_info('last_hidden_state', TensorProto.FLOAT,
                                       ['batch_size', 'sequence_length', HIDDEN])],
        g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)],
                              producer_name='interest-evo scripts/make-tiny-bert.py (RANDOM weights)')
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def write_json(path, obj):
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f, ensure_ascii=False, indent=1, sort_keys=False)
        f.write('\n')


def main():
    vocab = build_vocab()
    os.makedirs(os.path.join(OUT, 'onnx'), exist_ok=True)
    write_json(os.path.join(OUT, 'tokenizer.json'), tokenizer_json(vocab))
    write_json(os.path.join(OUT, 'tokenizer_config.json'), TOKENIZER_CONFIG)
    write_json(os.path.join(OUT, 'config.json'), model_config(len(vocab)))
    model = build_model(len(vocab))
    path = os.path.join(OUT, 'onnx', 'model.onnx')
    onnx.save(model, path)
    print(f'vocab {len(vocab)} tokens; {path}: {os.path.getsize(path)} bytes', file=sys.stderr)


if __name__ == '__main__':
    main()
