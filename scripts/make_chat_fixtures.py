#!/usr/bin/env python3
"""Chat-template goldens from llama.cpp's own llama_chat_apply_template (llama-cpp-python
0.3.36 = llama.cpp b11312): each family's template (as a model ships it in
tokenizer.chat_template, detected by llama.cpp from its text) applied to a few conversations,
with and without the generation prompt. Writes Tests/TokenizerTests/Fixtures/chat_goldens.json.
Run by `make fixtures` (the phi-3 and qwen2 templates are read from llama.cpp's vocab files
fetched by scripts/fetch-vocab-tests.sh)."""
import ctypes, json, os
import gguf
import llama_cpp

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def shipped(name):
    r = gguf.GGUFReader(os.path.join(root, "data", "vocab-tests", f"ggml-vocab-{name}.gguf"))
    f = r.fields["tokenizer.chat_template"]
    return bytes(f.parts[f.data[0]]).decode()


templates = {
    "phi3": shipped("phi-3"),
    "chatml": shipped("qwen2"),
    # The families' templates as their models ship them (abridged to what identifies them).
    "llama3": "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
              "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + "
              "'<|eot_id|>' %}{{ content }}{% endfor %}{% if add_generation_prompt %}"
              "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}",
    "gemma": "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'assistant') %}"
             "{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}"
             "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}"
             "{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}",
    "mistral-v7": "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'system' %}"
                  "{{ '[SYSTEM_PROMPT]' + message['content'] + '[/SYSTEM_PROMPT]' }}{% elif message['role'] == 'user' %}"
                  "{{ '[INST]' + message['content'] + '[/INST]' }}{% else %}{{ message['content'] + eos_token }}"
                  "{% endif %}{% endfor %}",
}
conversations = [
    [("system", "You are terse."), ("user", "What is 2 + 3?")],
    [("system", "Solve step by step."), ("user", " Hi there \n"), ("assistant", "Hello! "), ("user", "2+2?")],
    [("system", "S"), ("user", "Question: 7 * 6 =\nAnswer:")],
]


def apply(tmpl, msgs, add_ass):
    arr = (llama_cpp.llama_chat_message * len(msgs))()
    keep = []
    for i, (r, c) in enumerate(msgs):
        rb, cb = r.encode(), c.encode()
        keep += [rb, cb]
        arr[i].role = rb
        arr[i].content = cb
    buf = ctypes.create_string_buffer(1 << 16)
    n = llama_cpp.llama_chat_apply_template(tmpl.encode(), arr, len(msgs), add_ass, buf, 1 << 16)
    assert n >= 0, (tmpl[:40], n)
    return buf.raw[:n].decode()


cases = []
for family, tmpl in templates.items():
    for conv in conversations:
        for add_ass in (True, False):
            cases.append({"family": family, "template": tmpl, "add_generation_prompt": add_ass,
                          "messages": [{"role": r, "content": c} for r, c in conv],
                          "expected": apply(tmpl, conv, add_ass)})
out = os.path.join(root, "Tests", "TokenizerTests", "Fixtures", "chat_goldens.json")
json.dump({"meta": {"llama_cpp_python": llama_cpp.__version__}, "cases": cases}, open(out, "w"), ensure_ascii=False,
          indent=1)
print("chat goldens:", len(cases), "cases")
