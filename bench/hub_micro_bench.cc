// hub-micro-bench: the per-message pieces of work on the hub's path, one at a
// time (Google Benchmark), so that concord-bench's "us per message" figures
// can be read as a sum: protobuf decode and re-encode of a Publish frame, the
// audit line (format + SHA-256), the stored envelope's digest (BLAKE2b), a
// UUIDv7, and the CurveZMQ box of one
// message (crypto_box_easy_afternm, what libzmq's CURVE mechanism does for
// every message in each direction).
//
//   build/bin/hub-micro-bench --benchmark_min_time=0.2
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <string>
#include <vector>

#include "common/uuid.h"
#include "concord/v1/envelope.pb.h"
#include "concord/v1/hub.pb.h"
#include "hub/audit/audit.h"
#include "hub/audit/audit_state.h"
#include "hub/client/client.h"
#include "hub/transport/curve_keys.h"
#include "hub/transport/envelope_sign.h"
#include "hub/transport/payload_seal.h"

namespace concord::bench {
namespace {

namespace pb = ::concord::v1;

pb::Envelope Envelope512() {
  pb::TextNote note;
  note.set_subject("1234567890123456");
  note.set_body(std::string(512, 'x'));
  pb::Envelope env = client::MakeEnvelope({"con0"}, note);
  env.set_id(NewUuidV7());
  env.set_trace_id(NewTraceId());
  env.set_created_at_ms(1'700'000'000'000);
  return env;
}

std::string PublishFrame() {
  pb::Frame f;
  *f.mutable_publish()->mutable_envelope() = Envelope512();
  return f.SerializeAsString();
}

// The hub's decode of one Publish frame (HandleMessage: Frame::ParseFromArray).
void BM_ParsePublishFrame(benchmark::State& state) {
  const std::string bytes = PublishFrame();
  for (auto _ : state) {
    pb::Frame f;
    benchmark::DoNotOptimize(f.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_ParsePublishFrame);

// The hub's re-encode of the envelope with `from` stamped (OnPublish).
void BM_SerializeEnvelope(benchmark::State& state) {
  pb::Envelope env = Envelope512();
  env.set_from("pub0");
  for (auto _ : state) benchmark::DoNotOptimize(env.SerializeAsString());
}
BENCHMARK(BM_SerializeEnvelope);

// One "accept" audit line: format (strftime) and chain hash (SHA-256), as
// SqliteStore::Commit does for every message; the SQLite insert is not here.
void BM_AuditLineFormatAndHash(benchmark::State& state) {
  hub::AuditEvent e{1'700'000'000'123, "accept", "pub0",
                    "id=01a21a33-54f6-7542-9c14-187140695023 seq=4941 type=concord.v1.TextNote "
                    "to=con1 recipients=1"};
  std::string prev(64, '0');
  int64_t n = 0;
  for (auto _ : state) {
    const std::string line = hub::AuditChain::FormatLine(++n, e);
    prev = hub::AuditChain::HashLine(prev, line);
    benchmark::DoNotOptimize(prev);
  }
}
BENCHMARK(BM_AuditLineFormatAndHash);

// The digest of one stored envelope written in its accept entry (h=,
// hub/audit/audit_state.h), as SqliteStore::Commit does for every message.
void BM_EnvelopeDigest(benchmark::State& state) {
  pb::Envelope env = Envelope512();
  env.set_from("pub0");
  const std::string bytes = env.SerializeAsString();
  for (auto _ : state) benchmark::DoNotOptimize(hub::EnvelopeDigest(bytes));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_EnvelopeDigest);

// What each client does per message it sends (sign) and receives (verify)
// since envelopes are signed (hub/transport/envelope_sign.h); the hub does
// neither.
void BM_EnvelopeSign(benchmark::State& state) {
  auto kp = GenerateCurveKeyPair();
  auto signer = EnvelopeSigner::FromCurveSecret(kp->secret_z85);
  pb::Envelope env = Envelope512();
  for (auto _ : state) {
    signer->Sign(env);
    benchmark::DoNotOptimize(env.signature().data());
  }
}
BENCHMARK(BM_EnvelopeSign);

void BM_EnvelopeVerify(benchmark::State& state) {
  auto kp = GenerateCurveKeyPair();
  auto signer = EnvelopeSigner::FromCurveSecret(kp->secret_z85);
  pb::Envelope env = Envelope512();
  signer->Sign(env);
  for (auto _ : state) benchmark::DoNotOptimize(CheckEnvelopeSignature(env));
}
BENCHMARK(BM_EnvelopeVerify);

// What a sender adds per envelope since payloads are sealed
// (hub/transport/payload_seal.h): the content encrypted once, its key boxed
// for each of Arg recipients (1: one agency; 8: role:agency in a district)
// with the shared key of each pair, computed at the first envelope and kept.
void BM_PayloadSeal(benchmark::State& state) {
  auto me = GenerateCurveKeyPair();
  auto sealer = PayloadSealer::FromCurveSecret(me->secret_z85);
  std::vector<SealRecipient> to;
  for (int i = 0; i < state.range(0); ++i) {
    auto kp = GenerateCurveKeyPair();
    to.push_back(
        {"r" + std::to_string(i), EnvelopeSigner::FromCurveSecret(kp->secret_z85)->public_key()});
  }
  const pb::Envelope plain = Envelope512();
  for (auto _ : state) {
    pb::Envelope env = plain;
    benchmark::DoNotOptimize(sealer->Seal(env, to).ok());
  }
}
BENCHMARK(BM_PayloadSeal)->Arg(1)->Arg(8);

// What a receiver adds per delivery: its content key unboxed, the payload
// decrypted (with the envelope copy the client's path makes).
void BM_PayloadOpen(benchmark::State& state) {
  auto me = GenerateCurveKeyPair(), them = GenerateCurveKeyPair();
  auto sealer = PayloadSealer::FromCurveSecret(them->secret_z85);
  auto opener = PayloadSealer::FromCurveSecret(me->secret_z85);
  pb::Envelope sealed = Envelope512();
  (void)sealer->Seal(sealed, {{"r0", opener->sign_key()}});
  sealed.set_signer_key(sealer->sign_key());
  for (auto _ : state) {
    pb::Envelope env = sealed;
    benchmark::DoNotOptimize(opener->Open(env, "r0").ok());
  }
}
BENCHMARK(BM_PayloadOpen);

void BM_NewUuidV7(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(NewUuidV7());
}
BENCHMARK(BM_NewUuidV7);

// One CURVE message box (XSalsa20-Poly1305 with a precomputed key) of a
// Publish frame's size; libzmq boxes every message once on send and opens it
// once on receive, on each hop.
void BM_CurveBoxMessage(benchmark::State& state) {
  if (sodium_init() < 0) state.SkipWithError("sodium_init failed");
  unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
  crypto_box_keypair(pk, sk);
  unsigned char k[crypto_box_BEFORENMBYTES];
  if (crypto_box_beforenm(k, pk, sk) != 0) state.SkipWithError("crypto_box_beforenm failed");
  const std::string msg = PublishFrame();
  std::string out(msg.size() + crypto_box_MACBYTES, '\0');
  unsigned char nonce[crypto_box_NONCEBYTES] = {};
  for (auto _ : state) {
    ++nonce[0];
    crypto_box_easy_afternm(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), nonce,
                            k);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(msg.size()));
}
BENCHMARK(BM_CurveBoxMessage);

}  // namespace
}  // namespace concord::bench

BENCHMARK_MAIN();
