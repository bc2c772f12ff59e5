// Writes the frame seeds of frame_fuzz (tests/fuzz/corpus/frame/): one frame
// of each kind as the hub and the client send them, a batch as FrameBatch
// packs it, and the refusals DecodeFrame names. Run once, by hand, when
// hub.proto changes:
//   ninja -C build make_frame_seeds && build/bin/make_frame_seeds tests/fuzz/corpus/frame
#include <fstream>
#include <iostream>
#include <string>

#include "concord/v1/envelope.pb.h"
#include "concord/v1/hub.pb.h"
#include "hub/transport/frame_batch.h"

namespace pb = concord::v1;

namespace {

pb::Envelope Envelope() {
  pb::Envelope e;
  e.set_id("0190f1c2-7a4b-7c3d-8e9f-0a1b2c3d4e5f");
  e.set_from("shangzhou.police");
  e.add_to("shangzhou.court");
  e.add_to("topic:district");
  pb::TextNote note;
  note.set_subject("协查");
  note.set_body("请提供案卷");
  e.mutable_payload()->PackFrom(note);
  e.set_correlation_id("0190f1c2-7a4b-7c3d-8e9f-000000000001");
  e.set_created_at_ms(1780000000000);
  e.set_expires_at_ms(1780086400000);
  e.set_trace_id("4bf92f3577b34da6a3ce929d0e0e4736");
  e.mutable_actor()->set_login("chengban");
  e.mutable_actor()->set_name("李某");
  e.mutable_actor()->set_role("承办人");
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_frame_seeds FOLDER\n";
    return 2;
  }
  const std::string dir = argv[1];
  int written = 0;
  auto put = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir + "/" + name, std::ios::binary) << bytes;
    ++written;
  };
  pb::Frame publish;
  *publish.mutable_publish()->mutable_envelope() = Envelope();
  put("publish", publish.SerializeAsString());
  pb::Frame deliver;
  deliver.mutable_deliver()->set_seq(1234567);
  deliver.mutable_deliver()->set_attempt(2);
  *deliver.mutable_deliver()->mutable_envelope() = Envelope();
  put("deliver", deliver.SerializeAsString());
  pb::Frame ack;
  ack.mutable_ack()->add_ids("0190f1c2-7a4b-7c3d-8e9f-0a1b2c3d4e5f");
  ack.mutable_ack()->add_seqs(1234567);
  ack.mutable_ack()->add_seqs(1234568);
  put("ack", ack.SerializeAsString());
  pb::Frame nack;
  nack.mutable_nack()->set_id("0190f1c2-7a4b-7c3d-8e9f-0a1b2c3d4e5f");
  nack.mutable_nack()->set_code(pb::PERMISSION_DENIED);
  nack.mutable_nack()->set_reason("无权发送 / not allowed");
  put("nack", nack.SerializeAsString());
  pb::Frame hello;
  hello.mutable_hello()->set_client("concord-adapter 0.1.0");
  hello.mutable_hello()->set_credit(1024);
  hello.mutable_hello()->set_resume_after_seq(99);
  hello.mutable_hello()->add_topics("district");
  put("hello", hello.SerializeAsString());
  pb::Frame welcome;
  welcome.mutable_welcome()->set_principal("shangzhou.court");
  welcome.mutable_welcome()->set_credit(1024);
  welcome.mutable_welcome()->set_heartbeat_interval_ms(1000);
  welcome.mutable_welcome()->set_max_frame_bytes(1 << 20);
  put("welcome", welcome.SerializeAsString());
  pb::Frame heartbeat;
  heartbeat.mutable_heartbeat()->set_sent_at_ms(1780000000000);
  put("heartbeat", heartbeat.SerializeAsString());
  pb::Frame subscribe;
  subscribe.mutable_subscribe()->add_topics("district");
  subscribe.mutable_subscribe()->add_topics("alerts");
  put("subscribe", subscribe.SerializeAsString());
  concord::FrameBatch batch;
  for (const pb::Frame* f : {&publish, &ack, &heartbeat, &deliver})
    batch.Add(f->SerializeAsString());
  put("batch", batch.Take().to_string());
  pb::Frame nested;
  *nested.mutable_batch()->add_frames() = heartbeat;
  *nested.mutable_batch()->add_frames()->mutable_batch()->add_frames() = ack;
  put("batch-nested", nested.SerializeAsString());
  put("unknown-kind", std::string("\xa2\x06\x02\x08\x01", 5));
  std::cout << written << " seeds written to " << dir << "\n";
  return 0;
}
