// The data endpoint's socket: PUB for the daemon (subscriptions are libzmq's business), XPUB
// when asked, so that `plinth replay --wait-subscriber` sees its first listener arrive.
#include <gtest/gtest.h>

#include <sched.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "daemon/publisher.hpp"

namespace plinth {
namespace {

using std::chrono::milliseconds;

// Subscribes on `endpoint` and waits until a message on `topic` gets through, so the
// subscription has certainly reached the publisher; then takes whatever else arrived, so the
// test's own messages come next.
void subscribe_until_delivered(zmq::socket_t& sub, Publisher& publisher, const std::string& endpoint,
                               const std::string& topic) {
  sub.set(zmq::sockopt::subscribe, topic);
  sub.set(zmq::sockopt::rcvtimeo, 20);
  sub.connect(endpoint);
  zmq::message_t m;
  for (int attempt = 0; attempt < 200; ++attempt) {
    publisher.send(topic, "x");
    if (!sub.recv(m)) continue;
    while (sub.recv(m)) {
    }
    return;
  }
  FAIL() << "no message reached the subscriber";
}

TEST(Publisher, ZeroMqThreadsStartAsBulkThreads) {
  zmq::context_t context;
  context.set(zmq::ctxopt::io_threads, 2);
  const int refused = start_bulk_io_threads(context);
  if (refused == EPERM) GTEST_SKIP() << "this system refuses SCHED_BATCH";
  ASSERT_EQ(refused, 0);
  EXPECT_EQ(::sched_getscheduler(0), SCHED_OTHER);  // the caller is left as it was
  // The threads name themselves once running: look until all three have (two I/O, the reaper).
  std::map<std::string, int> policies;
  for (int attempt = 0; attempt < 1000 && policies.size() < 3; ++attempt) {
    policies.clear();
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
      std::ifstream comm(task.path() / "comm");
      std::string name;
      std::getline(comm, name);
      if (name.starts_with("ZMQbg/")) policies[name] = ::sched_getscheduler(std::stoi(task.path().filename().string()));
    }
    if (policies.size() < 3) std::this_thread::sleep_for(milliseconds(1));
  }
  ASSERT_EQ(policies.size(), 3u);
  for (const auto& [name, policy] : policies) EXPECT_EQ(policy, SCHED_BATCH) << name;
  // A Publisher on the context later uses those threads.
  PublisherOptions options;
  options.endpoint = "inproc://publisher-test-bulk";
  Publisher publisher(context, options);
  zmq::socket_t sub(context, zmq::socket_type::sub);
  subscribe_until_delivered(sub, publisher, options.endpoint, "status");
}

TEST(Publisher, SeesASubscriptionOnlyWhenAskedTo) {
  zmq::context_t context;
  PublisherOptions xpub_options;
  xpub_options.endpoint = "inproc://publisher-test-xpub";
  xpub_options.see_subscriptions = true;
  Publisher xpub(context, xpub_options);
  EXPECT_FALSE(xpub.take_subscription_notice(milliseconds(10)));
  zmq::socket_t sub(context, zmq::socket_type::sub);
  sub.set(zmq::sockopt::subscribe, "pressure.");
  sub.connect(xpub_options.endpoint);
  EXPECT_TRUE(xpub.take_subscription_notice(milliseconds(2000)));

  PublisherOptions pub_options;
  pub_options.endpoint = "inproc://publisher-test-pub";
  Publisher pub(context, pub_options);
  zmq::socket_t pub_sub(context, zmq::socket_type::sub);
  subscribe_until_delivered(pub_sub, pub, pub_options.endpoint, "status");
  EXPECT_FALSE(pub.take_subscription_notice(milliseconds(10)));
}

TEST(Publisher, SendsAnEncodedPayloadAsItIs) {
  zmq::context_t context;
  PublisherOptions options;
  options.endpoint = "inproc://publisher-test-payload";
  Publisher publisher(context, options);
  zmq::socket_t sub(context, zmq::socket_type::sub);
  subscribe_until_delivered(sub, publisher, options.endpoint, "t");
  const std::string body(24 * 1024 + 100, 'f');
  const std::uint64_t sent_before = publisher.sent();
  for (int i = 0; i < 100; ++i) {
    std::string expected = body + std::to_string(i);
    PayloadOut out = publisher.payload();
    std::byte* encoded = out.reserve(expected.size());
    std::memcpy(encoded, expected.data(), expected.size());
    ASSERT_TRUE(publisher.send_payload("t"));
    zmq::message_t topic, payload;
    ASSERT_TRUE(sub.recv(topic));
    ASSERT_TRUE(topic.more());
    ASSERT_TRUE(sub.recv(payload));
    EXPECT_EQ(topic.to_string(), "t");
    EXPECT_EQ(payload.to_string(), expected);
    // inproc hands the message itself over: the very buffer the encoder wrote, never copied.
    EXPECT_EQ(payload.data<std::byte>(), encoded);
  }
  EXPECT_EQ(publisher.sent() - sent_before, 100u);
}

TEST(Publisher, APayloadEncodedTwiceSendsTheSecondAndNoneSendsNothing) {
  zmq::context_t context;
  PublisherOptions options;
  options.endpoint = "inproc://publisher-test-payload-unsent";
  zmq::socket_t sub(context, zmq::socket_type::sub);
  {
    Publisher publisher(context, options);
    subscribe_until_delivered(sub, publisher, options.endpoint, "t");
    PayloadOut out = publisher.payload();
    out.reserve(5000);
    std::memcpy(out.reserve(3), "abc", 3);  // an encoder that starts over
    ASSERT_TRUE(publisher.send_payload("t"));
    zmq::message_t topic, payload;
    ASSERT_TRUE(sub.recv(topic));
    ASSERT_TRUE(sub.recv(payload));
    EXPECT_EQ(payload.to_string(), "abc");
    ASSERT_TRUE(publisher.send_payload("t"));  // nothing encoded: an empty payload
    ASSERT_TRUE(sub.recv(topic));
    ASSERT_TRUE(sub.recv(payload));
    EXPECT_EQ(payload.size(), 0u);
    publisher.payload().reserve(100);  // encoded when the publisher goes: freed with it (run_asan.sh)
  }
}

TEST(Publisher, NumbersEachTopicFromZeroInBothModes) {
  zmq::context_t context;
  for (const bool xpub : {false, true}) {
    PublisherOptions options;
    options.endpoint = xpub ? "inproc://publisher-test-seq-xpub" : "inproc://publisher-test-seq-pub";
    options.see_subscriptions = xpub;
    Publisher publisher(context, options);
    EXPECT_EQ(publisher.next_seq("a"), 0u);
    EXPECT_EQ(publisher.next_seq("a"), 1u);
    EXPECT_EQ(publisher.next_seq("b"), 0u);
    publisher.reset_sequences();
    EXPECT_EQ(publisher.next_seq("a"), 0u);
  }
}

}  // namespace
}  // namespace plinth
