// The node side of jwtkit's interoperability tests with the `jose` package, and with
// the `dpop` package for DPoP proofs (RFC 9449)
// (bindings/python/tests/test_node_interop.py drives it).
//
// Protocol: one JSON job per line on stdin, one JSON result per line on stdout, in the
// same order; the process ends at end of input. A result is {"ok": true, ...} or
// {"ok": false, "error": "<jose error name>: <message>"}: a failing job never stops the
// jobs after it. Binary data (plaintexts) travels as base64url; keys travel as JWKs.
//
// Jobs ("op"):
//   info                                      -> {jose, node}
//   generate_key_pair {alg, crv?}             -> {private: JWK, public: JWK}
//   generate_secret {alg}                     -> {secret: JWK}
//   encrypt {alg, enc, key, plaintext, header?, apu?, apv?}
//                                             -> {token}            (compact JWE)
//   decrypt {alg, enc, key, token}            -> {plaintext, header}
//   encrypt_json {enc, plaintext, recipients: [{alg, key, header?}], aad?, unprotected?, flattened?}
//                                             -> {jwe}              (JSON serialization: GeneralEncrypt,
//                                                or FlattenedEncrypt for one recipient when flattened)
//   decrypt_json {algs, enc, key, jwe}        -> {plaintext, protected_header, unprotected_header, aad}
//                                                (generalDecrypt, or flattenedDecrypt without
//                                                `recipients`; `key` is one recipient's JWK, imported
//                                                for algs[0])
//   sign {alg, key, payload, header?}         -> {token}            (compact JWS of JSON claims)
//   verify {alg, key, token}                  -> {payload, header}
//   sign_encrypt {sign: {alg, key}, encrypt: {alg, enc, key}, payload}
//                                             -> {token}            (nested JWT, cty "JWT")
//   decrypt_verify {decrypt: {alg, enc, key}, verify: {alg, key}, token}
//                                             -> {header, inner_header, payload}
//   dpop_proof {alg, htu, htm, nonce?, access_token?, private?, public?}
//                                             -> {proof, jkt, jose_jkt, public, private}  (the dpop
//                                                package makes the key, unless the job gives one as
//                                                JWKs, and the proof; jkt is its thumbprint, jose_jkt
//                                                jose's, of the public JWK jose exports)
//   dpop_verify {proof, algorithms, htm, htu, access_token?, nonce?}
//                                             -> {jkt, header, payload}  (jose verifies a proof with
//                                                its embedded jwk, and the RFC 9449 §4.3 checks jose's
//                                                JWT validation leaves to the caller are made here;
//                                                jkt is jose's RFC 7638 thumbprint of the jwk)
//   json_sign {payload, signers: [{alg, key, header?, protected?}], flattened?}
//                                             -> {token}            (JWS JSON serialization by
//                                                GeneralSign, or FlattenedSign for one signer;
//                                                payload base64url, header unprotected, protected
//                                                extra protected members beside alg)
//   json_verify {token, alg, key, flattened?} -> {payload, header, unprotected}  (generalVerify or
//                                                flattenedVerify with one key: jose accepts the
//                                                general form when any signature verifies with it)
// Decryption and verification always pass jose an allow-list of exactly the job's
// algorithms, so a token is only accepted under the combination the test names.
//
// ES256K (secp256k1, RFC 8812) goes to jose 5 (`jose-v5` in package.json, an npm alias
// of jose 5.10.0): jose 6 runs on WebCrypto, which has no secp256k1, and dropped ES256K;
// jose 5 signs and verifies it on Node through node:crypto. Every other job is jose 6's.

import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import * as dpop from "dpop";
import * as jose from "jose";
import * as jose5 from "jose-v5";

const b64u = jose.base64url;
const text = new TextDecoder();

function packageVersion(name) {
  const url = new URL(`./node_modules/${name}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")).version;
}

/** The jose that implements `alg`: jose 5 for ES256K, jose 6 for the rest. */
function joseFor(alg) {
  return alg === "ES256K" ? jose5 : jose;
}

const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

async function sha256b64u(text) {
  return b64u.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))));
}

// A DPoP proof checked by jose (signature by the embedded jwk, typ, alg allow-list, iat
// within 300 s and 30 s of skew), then the RFC 9449 §4.3 checks jose leaves to callers.
async function dpopVerify({ proof, algorithms, htm, htu, access_token, nonce }) {
  const { payload, protectedHeader } = await jose.jwtVerify(proof, jose.EmbeddedJWK, {
    typ: "dpop+jwt",
    algorithms,
    maxTokenAge: "300s",
    clockTolerance: 30,
    requiredClaims: ["jti", "htm", "htu", "iat"],
  });
  const fail = (what) => {
    throw new Error(`DPoP check failed: ${what}`);
  };
  const jwk = protectedHeader.jwk;
  for (const m of PRIVATE_JWK_MEMBERS) if (m in jwk) fail(`the jwk has the private member ${m}`);
  if (typeof payload.jti !== "string" || payload.jti === "") fail("jti");
  if (payload.htm !== htm) fail(`htm ${JSON.stringify(payload.htm)}`);
  if (payload.htu !== htu) fail(`htu ${JSON.stringify(payload.htu)}`);
  if (access_token !== undefined && payload.ath !== (await sha256b64u(access_token))) fail("ath");
  if (nonce !== undefined && payload.nonce !== nonce) fail("nonce");
  return { jkt: await jose.calculateJwkThumbprint(jwk, "sha256"), header: protectedHeader, payload };
}

async function key(jwk, alg) {
  if (!jwk || typeof jwk !== "object") throw new TypeError("job has no key JWK");
  return joseFor(alg).importJWK(jwk, alg);
}

async function jweEncrypt(plaintext, { alg, enc, key: jwk, header, apu, apv }) {
  const builder = new jose.CompactEncrypt(plaintext).setProtectedHeader({ ...(header || {}), alg, enc });
  if (apu !== undefined || apv !== undefined) {
    const params = {};
    if (apu !== undefined) params.apu = b64u.decode(apu);
    if (apv !== undefined) params.apv = b64u.decode(apv);
    builder.setKeyManagementParameters(params);
  }
  return builder.encrypt(await key(jwk, alg));
}

async function jweDecrypt(token, { alg, enc, key: jwk }) {
  return jose.compactDecrypt(token, await key(jwk, alg), {
    keyManagementAlgorithms: [alg],
    contentEncryptionAlgorithms: [enc],
  });
}

async function jweEncryptJson({ enc, plaintext, recipients, aad, unprotected, flattened }) {
  const data = b64u.decode(plaintext);
  if (flattened) {
    const [only] = recipients;
    const builder = new jose.FlattenedEncrypt(data).setProtectedHeader({ alg: only.alg, enc });
    if (unprotected) builder.setSharedUnprotectedHeader(unprotected);
    if (only.header) builder.setUnprotectedHeader(only.header);
    if (aad !== undefined) builder.setAdditionalAuthenticatedData(b64u.decode(aad));
    return builder.encrypt(await key(only.key, only.alg));
  }
  const builder = new jose.GeneralEncrypt(data).setProtectedHeader({ enc });
  if (unprotected) builder.setSharedUnprotectedHeader(unprotected);
  if (aad !== undefined) builder.setAdditionalAuthenticatedData(b64u.decode(aad));
  for (const r of recipients) {
    builder.addRecipient(await key(r.key, r.alg)).setUnprotectedHeader({ ...(r.header || {}), alg: r.alg });
  }
  return builder.encrypt();
}

async function jweDecryptJson({ algs, enc, key: jwk, jwe }) {
  const options = { keyManagementAlgorithms: algs, contentEncryptionAlgorithms: [enc] };
  const k = await key(jwk, algs[0]);
  const out = jwe.recipients ? await jose.generalDecrypt(jwe, k, options) : await jose.flattenedDecrypt(jwe, k, options);
  return {
    plaintext: b64u.encode(out.plaintext),
    protected_header: out.protectedHeader || null,
    unprotected_header: out.sharedUnprotectedHeader || null,
    aad: out.additionalAuthenticatedData ? b64u.encode(out.additionalAuthenticatedData) : null,
  };
}

async function jwsSign(payload, { alg, key: jwk, header }) {
  const lib = joseFor(alg);
  return new lib.SignJWT(payload).setProtectedHeader({ typ: "JWT", ...(header || {}), alg }).sign(await key(jwk, alg));
}

async function jwsVerify(token, { alg, key: jwk }) {
  return joseFor(alg).jwtVerify(token, await key(jwk, alg), { algorithms: [alg] });
}

async function jsonSign({ payload, signers, flattened }) {
  const bytes = b64u.decode(payload);
  if (flattened) {
    if (signers.length !== 1) throw new Error("a flattened JWS has one signer");
    const [s] = signers;
    const builder = new jose.FlattenedSign(bytes).setProtectedHeader({ ...(s.protected || {}), alg: s.alg });
    if (s.header) builder.setUnprotectedHeader(s.header);
    return builder.sign(await key(s.key, s.alg));
  }
  const builder = new jose.GeneralSign(bytes);
  for (const s of signers) {
    const signature = builder.addSignature(await key(s.key, s.alg)).setProtectedHeader({ ...(s.protected || {}), alg: s.alg });
    if (s.header) signature.setUnprotectedHeader(s.header);
  }
  return builder.sign();
}

async function jsonVerify({ token, alg, key: jwk, flattened }) {
  const verify = flattened ? jose.flattenedVerify : jose.generalVerify;
  const { payload, protectedHeader, unprotectedHeader } = await verify(token, await key(jwk, alg), { algorithms: [alg] });
  return { payload: b64u.encode(payload), header: protectedHeader, unprotected: unprotectedHeader || null };
}

const OPS = {
  async info() {
    return { jose: packageVersion("jose"), "jose-v5": packageVersion("jose-v5"), dpop: packageVersion("dpop"), node: process.versions.node };
  },

  async generate_key_pair({ alg, crv }) {
    const options = { extractable: true };
    if (crv !== undefined) options.crv = crv;
    const lib = joseFor(alg);
    const { privateKey, publicKey } = await lib.generateKeyPair(alg, options);
    return { private: await lib.exportJWK(privateKey), public: await lib.exportJWK(publicKey) };
  },

  async generate_secret({ alg }) {
    return { secret: await jose.exportJWK(await jose.generateSecret(alg, { extractable: true })) };
  },

  async encrypt(job) {
    return { token: await jweEncrypt(b64u.decode(job.plaintext), job) };
  },

  async decrypt(job) {
    const { plaintext, protectedHeader } = await jweDecrypt(job.token, job);
    return { plaintext: b64u.encode(plaintext), header: protectedHeader };
  },

  async encrypt_json(job) {
    return { jwe: await jweEncryptJson(job) };
  },

  async decrypt_json(job) {
    return jweDecryptJson(job);
  },

  async sign(job) {
    return { token: await jwsSign(job.payload, job) };
  },

  async verify(job) {
    const { payload, protectedHeader } = await jwsVerify(job.token, job);
    return { payload, header: protectedHeader };
  },

  async sign_encrypt({ sign, encrypt, payload }) {
    const inner = await jwsSign(payload, sign);
    const header = { ...(encrypt.header || {}), cty: "JWT" };
    return { token: await jweEncrypt(new TextEncoder().encode(inner), { ...encrypt, header }) };
  },

  async dpop_proof({ alg, htu, htm, nonce, access_token, private: privateJwk, public: publicJwk }) {
    const keypair = privateJwk
      ? {
          privateKey: await jose.importJWK(privateJwk, alg, { extractable: true }),
          publicKey: await jose.importJWK(publicJwk, alg, { extractable: true }),
        }
      : await dpop.generateKeyPair(alg, { extractable: true });
    const proof = await dpop.generateProof(keypair, htu, htm, nonce, access_token);
    const exported = await jose.exportJWK(keypair.publicKey);
    return {
      proof,
      jkt: await dpop.calculateThumbprint(keypair.publicKey),
      jose_jkt: await jose.calculateJwkThumbprint(exported, "sha256"),
      public: exported,
      private: await jose.exportJWK(keypair.privateKey),
    };
  },

  async json_sign(job) {
    return { token: await jsonSign(job) };
  },

  async json_verify(job) {
    return jsonVerify(job);
  },

  async dpop_verify(job) {
    return dpopVerify(job);
  },

  async decrypt_verify({ token, decrypt, verify }) {
    const { plaintext, protectedHeader } = await jweDecrypt(token, decrypt);
    if (protectedHeader.cty !== "JWT") throw new Error(`the JWE's cty is ${JSON.stringify(protectedHeader.cty)}, not "JWT"`);
    const inner = await jwsVerify(text.decode(plaintext), verify);
    return { header: protectedHeader, inner_header: inner.protectedHeader, payload: inner.payload };
  },
};

async function run(line) {
  let job;
  try {
    job = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: `bad job (not JSON): ${e.message}` };
  }
  const op = OPS[job && job.op];
  if (!op) return { ok: false, error: `unknown op ${JSON.stringify(job && job.op)}` };
  try {
    return { ok: true, ...(await op(job)) };
  } catch (e) {
    return { ok: false, error: `${e && e.code ? e.code : e && e.name}: ${e && e.message}` };
  }
}

// Jobs run one after the other so that results come back in the order of the jobs.
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === "") continue;
  process.stdout.write(JSON.stringify(await run(line)) + "\n");
}
