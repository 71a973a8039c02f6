"""Write a synthetic transcript corpus for the benchmark: `python bench/make_corpus.py N DIR`.

N question/answer pairs, 50 per file (`chat_00001.txt`, ...), shaped like the seeds in source/:
mostly `Q: ...` / `A: ...` (sometimes `Q:` without a space, a blank line between question and
answer, or no `A:` marker at all), some files wrapped in a bare ``` fence after a `# Title` line.
Answers mix paragraphs, bullet lists (some right under a text line, some nested by 2-3 spaces),
numbered lists, inline code, ```python blocks (~1/3), GFM tables (~1/10), `\\( \\)`/`\\[ \\]` math
(~1/8) and Chinese text (~1/10), at the seeds' sizes (mostly 1-4 KB).

Deterministic: every file is generated from its own seeded random stream, so the same N gives
byte-identical files (and a smaller N gives a prefix of the same files, except the last one).
Every question carries its global pair number, so no two questions merge. Files are written one
at a time; the corpus is never held in memory.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

PAIRS_PER_FILE = 50
SEED = 20240611

TOPICS = (
    "gradient checkpointing|mixed precision training|tensor parallelism|KV cache|"
    "operator fusion|quantization-aware training|graph freezing|XLA compilation|beam search|"
    "top-p sampling|layer normalization|flash attention|LoRA adapters|model distillation|"
    "dynamic batching|ONNX export|TensorRT engines|data loaders|embedding tables|"
    "rotary position embeddings|speculative decoding|weight pruning|pipeline parallelism|"
    "ZeRO sharding|CUDA streams|memory pinning|etcd leases|consistent hashing|gRPC streaming|"
    "request batching|autoregressive decoding|control dependencies|constant folding|"
    "the Grappler optimizer|SavedModel signatures|tf.function tracing|torch.compile|"
    "the NCHW layout|batched matrix multiply|softmax temperature|cross entropy loss|"
    "label smoothing|learning rate warmup"
).split("|")
CONTEXTS = (
    "in TensorFlow|in PyTorch|for LLM inference|on a single GPU|in production|"
    "on mobile devices|for distributed training|in a serving system|with JAX|"
    "during fine-tuning|for recommendation models|on TPUs|in an interview"
).split("|")
QUESTION_FORMS = [
    "what is {t} {c}",
    "how does {t} work {c}?",
    "difference between {t} and {u} {c}",
    "why would I use {t} {c}?",
    "explain {t} {c}, with an example",
    "what are the trade-offs of {t} {c}?",
    "can you compare {t} with {u} {c}?",
    "what does {t} mean {c}? please keep it short",
]
SUBJECTS = (
    "The model|This approach|The runtime|Each worker|The compiler|A scheduler|The framework|"
    "In practice, the kernel|The optimizer|The serving layer|Every request|The graph|"
    "A smaller batch|The cache"
).split("|")
VERBS = (
    "reduces|increases|hides|avoids|trades|keeps|splits|reuses|moves|merges|precomputes|"
    "bounds|amortizes|exposes"
).split("|")
OBJECTS = (
    "the memory footprint|latency at small batch sizes|the cost of data movement|"
    "redundant computation|the number of kernel launches|peak throughput|the numerical error|"
    "host-device synchronization|the size of the checkpoint|contention between workers|"
    "the amount of padding|the time to first token"
).split("|")
TAILS = (
    "| for most workloads| when the input shapes are static| at the cost of accuracy|"
    " on modern accelerators| without changing the model| if you profile carefully|"
    " in exchange for more code| as long as the batch fits in memory"
).split("|")
CODE_WORDS = (
    "tf.function|torch.no_grad()|model.eval()|jax.jit|batch_size|num_workers|"
    "tf.saved_model.save|torch.cuda.synchronize()|max_new_tokens|top_p|dtype|pin_memory=True|"
    "tf.control_dependencies|feed_dict|session.run|torch.bmm"
).split("|")
CHINESE = [
    "在推理阶段，常量会被框架折叠，从而减少内存拷贝。",
    "这种方法的核心思想是用更少的计算换取相近的精度。",
    "分布式训练时，每个进程只保存一部分参数，通信开销随之增加。",
    "简单来说，批处理越大，吞吐量越高，但延迟也会变长。",
    "需要注意的是，量化之后的模型要重新评估准确率。",
    "这个参数控制采样的随机性，数值越小输出越确定。",
    "实际部署时，建议先用小流量做 A/B 测试。",
]
MATH_INLINE = [
    r"\( X_t \)",
    r"\( \phi_1, \phi_2 \)",
    r"\( \epsilon_t \)",
    r"\( p(x_t \mid x_{<t}) \)",
    r"\( \sigma(z)_i \)",
    r"\( W \in \mathbb{R}^{d \times k} \)",
    r"\( \alpha / r \)",
]
MATH_DISPLAY = [
    r"\[ X_t = c + \phi_1 X_{t-1} + \phi_2 X_{t-2} + \epsilon_t \]",
    r"\[ \text{softmax}(z)_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}} \]",
    r"\[ W' = W + \frac{\alpha}{r} B A \]",
    r"\[ L = -\sum_{t=1}^{T} \log p(x_t \mid x_{<t}) \]",
]
PY_NAMES = "model|batch|inputs|logits|cache|weights|scores|tokens|graph".split("|")
PY_FUNCS = "run_inference|build_model|quantize|load_batch|sample_next|freeze".split("|")
PY_STATEMENTS = [
    "{a} = {b}.reshape(-1, {n})",
    "{a} = torch.softmax({b} / temperature, dim=-1)",
    "{a} = tf.constant([[1.0, 2.0], [3.0, 4.0]])",
    "{a} = {b}[:, -1, :]",
    'print(f"{a} shape: {{{a}.shape}}")',
    "{a} = np.zeros(({n}, {n}), dtype=np.float32)",
    "{a}.append({b})",
    "{a} = [x * {n} for x in {b} if x is not None]",
    "{a} = {{'name': '{a}', 'size': {n}}}",
    'assert {a}.shape[0] == {n}, "unexpected batch size"',
]
BOLD_TERMS = "Latency|Throughput|Memory|Accuracy|Portability|Cost|Tooling".split("|")


def make_sentences(rng: random.Random, count: int) -> list[str]:
    """A fixed pool of English sentences, some with inline code."""
    pool = []
    for _ in range(count):
        sentence = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        sentence += rng.choice(TAILS)
        if rng.random() < 0.2:
            sentence += f", for example with `{rng.choice(CODE_WORDS)}`"
        pool.append(sentence + ".")
    return pool


SENTENCES = make_sentences(random.Random(SEED), 3000)


def paragraph(rng: random.Random, low: int = 2, high: int = 6) -> str:
    return " ".join(rng.choices(SENTENCES, k=rng.randint(low, high)))


def bullets(rng: random.Random, prefix: str = "- ", indent: str = "") -> list[str]:
    items = []
    for _ in range(rng.randint(2, 6)):
        text = paragraph(rng, 1, 2)
        if rng.random() < 0.5:
            text = f"**{rng.choice(BOLD_TERMS)}:** {text}"
        items.append(f"{indent}{prefix}{text}")
    return items


def bullet_block(rng: random.Random) -> str:
    """A lead-in line and a bullet list, sometimes with no blank line in between."""
    lead = f"Key points about {rng.choice(TOPICS)}:"
    gap = "\n" if rng.random() < 0.5 else "\n\n"
    return lead + gap + "\n".join(bullets(rng))


def nested_block(rng: random.Random) -> str:
    """A numbered list whose items hold bullets nested by 2 or 3 spaces."""
    indent = rng.choice(["  ", "   "])
    lines = []
    for number in range(1, rng.randint(2, 4) + 1):
        lines.append(f"{number}. **{rng.choice(BOLD_TERMS)}**:")
        lines.extend(bullets(rng, "- ", indent))
    return "\n".join(lines)


def numbered_block(rng: random.Random) -> str:
    """A numbered list, tight or with a blank line between items (as in the seeds)."""
    sep = "\n" if rng.random() < 0.5 else "\n\n"
    items = [  # 2+ sentences: a loose item repeating an earlier one reads as a copied question
        f"{number}. {rng.choice(TOPICS).capitalize()}: {paragraph(rng, 2, 3)}"
        for number in range(1, rng.randint(3, 7) + 1)
    ]
    return sep.join(items)


def python_block(rng: random.Random) -> str:
    """5-25 lines of plausible Python in a ```python fence."""
    lines = ["import numpy as np", "import torch", ""] if rng.random() < 0.6 else []
    name = rng.choice(PY_FUNCS)
    lines.append(f"def {name}({rng.choice(PY_NAMES)}, temperature=1.0):")
    lines.append(f'    """{rng.choice(SENTENCES)}"""')
    for _ in range(rng.randint(2, 18)):
        statement = rng.choice(PY_STATEMENTS).format(
            a=rng.choice(PY_NAMES), b=rng.choice(PY_NAMES), n=rng.choice([2, 8, 16, 64, 512])
        )
        if rng.random() < 0.15:
            lines.append(f"    for step in range({rng.randint(2, 10)}):")
            lines.append("        " + statement)
        else:
            lines.append("    " + statement)
    lines.append(f"    return {rng.choice(PY_NAMES)}")
    if rng.random() < 0.5:
        lines += ["", "", 'if __name__ == "__main__":', f"    print({name}(None))"]
    return "```python\n" + "\n".join(lines[:25]) + "\n```"


def table_block(rng: random.Random) -> str:
    columns = rng.sample(["Option", "Latency", "Memory", "Accuracy", "When to use", "说明"], 3)
    rows = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for _ in range(rng.randint(2, 6)):
        cells = [rng.choice(TOPICS), rng.choice(["low", "high", "medium", "`fp16`"])]
        cells.append(rng.choice(OBJECTS))
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def math_block(rng: random.Random) -> str:
    lines = [rng.choice(MATH_DISPLAY), "", "where:"]
    lines += [f"- {rng.choice(MATH_INLINE)} is {rng.choice(OBJECTS)}." for _ in range(3)]
    return "\n".join(lines)


def chinese_block(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return paragraph(rng, 1, 2) + " " + rng.choice(CHINESE)
    return "".join(rng.choices(CHINESE, k=rng.randint(3, 8)))


BLOCKS = [paragraph, paragraph, paragraph, bullet_block, nested_block, numbered_block]


def answer(rng: random.Random) -> str:
    """One answer: an opening paragraph, then blocks until a drawn length is passed.

    The answers come out at a median of ~2.4 KB, 80% within 1.4-4 KB (seeds: 2.3 KB, 1-3.4 KB).
    """
    target = min(6000, max(150, int(rng.lognormvariate(7.5, 0.45))))  # ~1.8 KB median
    parts = [paragraph(rng, 2, 4)]  # 2+ sentences: no opening line repeats an earlier item
    extras = []
    if rng.random() < 1 / 3:
        extras.append(python_block(rng))
    if rng.random() < 1 / 10:
        extras.append(table_block(rng))
    if rng.random() < 1 / 8:
        extras.append(math_block(rng))
    if rng.random() < 0.06:  # tables add some Chinese too: ~10% of answers in all
        extras.append(chinese_block(rng))
    size = len(parts[0]) + sum(len(extra) for extra in extras)
    while size < target:
        block = rng.choice(BLOCKS)(rng)
        parts.append(block)
        size += len(block) + 2
    for extra in extras:
        parts.insert(rng.randint(1, len(parts)), extra)
    if len(parts) > 2 and rng.random() < 0.5:
        closing = paragraph(rng, 1, 2)
        parts.append("In summary, " + closing[0].lower() + closing[1:])
    return "\n\n".join(parts)


def question(rng: random.Random, number: int) -> str:
    """A question made unique by its pair number."""
    text = rng.choice(QUESTION_FORMS).format(
        t=rng.choice(TOPICS), u=rng.choice(TOPICS), c=rng.choice(CONTEXTS)
    )
    return f"{text} (case {number})"


def pair(rng: random.Random, number: int) -> str:
    """One transcript entry in one of the seeds' forms."""
    q, a = question(rng, number), answer(rng)
    form = rng.random()
    if form < 0.55:
        return f"Q: {q}\nA: {a}"
    if form < 0.75:
        return f"Q:{q}\nA:{a}"
    if form < 0.9:
        return f"Q: {q}\n\nA: {a}"
    return f"Q: {q}\n\n{a}"  # no answer marker


def transcript(file_number: int, first_pair: int, count: int) -> str:
    rng = random.Random(SEED * 100_003 + file_number)
    body = "\n\n".join(pair(rng, first_pair + i) for i in range(count)) + "\n"
    shape = rng.random()
    if shape < 0.3:  # title line, then the whole file in a bare fence (seed 000)
        return f"# Notes on {rng.choice(TOPICS)} {file_number}\n\n```\n{body}```\n"
    if shape < 0.4:  # bare fence, no title (seed 001)
        return f"```\n{body}```\n"
    return body


def write_corpus(total: int, folder: Path) -> int:
    """Write `total` pairs into `folder`, 50 per file; return the number of files."""
    folder.mkdir(parents=True, exist_ok=True)
    files = 0
    for first in range(1, total + 1, PAIRS_PER_FILE):
        files += 1
        count = min(PAIRS_PER_FILE, total - first + 1)
        text = transcript(files, first, count)
        (folder / f"chat_{files:05d}.txt").write_text(text, encoding="utf-8")
    return files


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[0].isdigit():
        print("usage: python bench/make_corpus.py N DIR", file=sys.stderr)
        return 2
    files = write_corpus(int(argv[0]), Path(argv[1]))
    print(f"wrote {argv[0]} pairs in {files} files to {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
