#!/usr/bin/env node
// A small OpenAI-compatible chat server for tests: llama.cpp (node-llama-cpp's prebuilt CPU binary)
// running a local GGUF model, on 127.0.0.1 only.
//
//   node server.mjs --model PATH.gguf [--port N] [--ctx N] [--threads N]
//   (or BOSUN_LLM_MODEL, BOSUN_LLM_PORT, BOSUN_LLM_CTX, BOSUN_LLM_THREADS)
//
// The first stdout line is the base URL, e.g. http://127.0.0.1:41234 (port 0, the default, picks a
// free port). Logs go to stderr. Endpoints:
//   GET  /health               {"status":"ok","model":...}
//   GET  /v1/models            the one loaded model
//   POST /v1/chat/completions  {model, messages:[{role,content}], max_tokens, temperature, seed, stop,
//                               frequency_penalty, presence_penalty}; no streaming
// Generation is greedy (temperature 0) unless the request asks otherwise, and each request starts
// from an empty context, so the same request gives the same answer. Requests are served one at a time.
import http from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import { getLlama, LlamaChat, LlamaLogLevel } from "node-llama-cpp";

const { values: args } = parseArgs({
  options: {
    model: { type: "string" },
    port: { type: "string" },
    ctx: { type: "string" },
    threads: { type: "string" },
  },
});
const modelPath = args.model ?? process.env.BOSUN_LLM_MODEL;
const port = Number(args.port ?? process.env.BOSUN_LLM_PORT ?? 0);
const contextSize = Number(args.ctx ?? process.env.BOSUN_LLM_CTX ?? 4096);
// One thread by default: llama.cpp's worker threads spin-wait on each other, and on a 2-core machine
// that is also building or running tests, 2 threads measured 4-20x slower than 1. A fixed count also
// keeps greedy answers repeatable (2 threads gave another answer than 1 to the same request).
const threads = Number(args.threads ?? process.env.BOSUN_LLM_THREADS ?? 1);
const log = (msg) => process.stderr.write(`llm-server: ${msg}\n`);
if (!modelPath) {
  log("no model: pass --model PATH.gguf or set BOSUN_LLM_MODEL (scripts/llm-model prints one)");
  process.exit(2);
}
const modelName = path.basename(modelPath).replace(/\.gguf$/i, "");

// CPU only, and only the prebuilt binary from @node-llama-cpp/linux-x64: never download or build
// llama.cpp (there is no network for that here).
const started = performance.now();
const llama = await getLlama({
  gpu: false,
  maxThreads: threads || undefined,
  build: "never",
  skipDownload: true,
  progressLogs: false,
  logLevel: LlamaLogLevel.error,
});
const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
const context = await model.createContext({ contextSize, sequences: 1, threads });
const sequence = context.getSequence();
const chat = new LlamaChat({ contextSequence: sequence });
log(`loaded ${modelPath} in ${Math.round(performance.now() - started)} ms ` +
  `(context ${context.contextSize} tokens, chat format ${chat.chatWrapper.wrapperName})`);

// OpenAI messages -> node-llama-cpp chat history, ending with the (empty) reply to generate.
function toHistory(messages) {
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest("messages must be a non-empty array");
  const history = messages.map((m, i) => {
    const text = typeof m?.content === "string" ? m.content
      : Array.isArray(m?.content) ? m.content.filter((p) => p?.type === "text").map((p) => p.text).join("")
      : null;
    if (text == null) throw badRequest(`messages[${i}].content must be a string`);
    switch (m.role) {
      case "system": case "developer": return { type: "system", text };
      case "user": return { type: "user", text };
      case "assistant": return { type: "model", response: [text] };
      default: throw badRequest(`messages[${i}].role must be system, user or assistant`);
    }
  });
  if (history.at(-1).type !== "model") history.push({ type: "model", response: [] });
  return history;
}

let nextId = 1;
let queue = Promise.resolve(); // one request at a time on the single sequence
async function complete(req) {
  const history = toHistory(req.messages);
  const maxTokens = req.max_tokens ?? req.max_completion_tokens ?? 256;
  const temperature = req.temperature ?? 0;
  const stop = req.stop == null ? [] : [req.stop].flat();
  // Refuse what does not fit rather than let llama.cpp silently drop the start of the conversation.
  const promptTokens = chat.chatWrapper.generateContextState({ chatHistory: history }).contextText
    .tokenize(model.tokenizer).length;
  if (promptTokens + maxTokens > context.contextSize)
    throw badRequest(`prompt (${promptTokens} tokens) + max_tokens (${maxTokens}) exceeds the context ` +
      `size ${context.contextSize}: start the server with a larger --ctx`);
  await sequence.clearHistory(); // no state carried over from the previous request
  const before = sequence.tokenMeter.getState();
  const res = await chat.generateResponse(history, {
    maxTokens,
    temperature,
    seed: req.seed ?? 0,
    repeatPenalty: req.frequency_penalty == null && req.presence_penalty == null ? undefined
      : { frequencyPenalty: req.frequency_penalty, presencePenalty: req.presence_penalty },
    customStopTriggers: stop.length ? stop : undefined,
  });
  const used = sequence.tokenMeter.diff(before);
  const reason = res.metadata.stopReason;
  return {
    id: `chatcmpl-${nextId++}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: req.model ?? modelName,
    choices: [{
      index: 0,
      message: { role: "assistant", content: res.response },
      finish_reason: reason === "maxTokens" ? "length" : "stop",
    }],
    usage: {
      prompt_tokens: used.usedInputTokens,
      completion_tokens: used.usedOutputTokens,
      total_tokens: used.usedInputTokens + used.usedOutputTokens,
    },
  };
}

function badRequest(message) {
  return Object.assign(new Error(message), { status: 400 });
}
function send(res, status, body) {
  const data = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data) });
  res.end(data);
}
async function readJson(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw badRequest("request body must be JSON");
  }
}

const server = http.createServer(async (req, res) => {
  const url = req.url.split("?")[0];
  try {
    if (req.method === "GET" && url === "/health") return send(res, 200, { status: "ok", model: modelName });
    if (req.method === "GET" && url === "/v1/models")
      return send(res, 200, { object: "list", data: [{ id: modelName, object: "model", owned_by: "local" }] });
    if (req.method === "POST" && url === "/v1/chat/completions") {
      const body = await readJson(req);
      if (body.stream) throw badRequest("stream is not supported");
      const t0 = performance.now();
      const job = queue.then(() => complete(body));
      queue = job.catch(() => {});
      const out = await job;
      log(`chat completion: ${out.usage.prompt_tokens} prompt + ${out.usage.completion_tokens} completion ` +
        `tokens in ${Math.round(performance.now() - t0)} ms (${out.choices[0].finish_reason})`);
      return send(res, 200, out);
    }
    send(res, 404, { error: { message: `no route ${req.method} ${url}`, type: "invalid_request_error" } });
  } catch (err) {
    const status = err.status ?? 500;
    if (status === 500) log(`error: ${err.stack ?? err}`);
    send(res, status, { error: { message: String(err.message ?? err), type: status === 400 ? "invalid_request_error" : "server_error" } });
  }
});

server.listen(port, "127.0.0.1", () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});

async function shutdown() {
  server.close();
  await llama.dispose();
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
