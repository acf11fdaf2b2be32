// The GoogleTest fixture every integration test uses: scratch dir, private redis-server, gateways.
#include "tests/support/fixture.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iostream>

namespace ssegw::it {

void gateway_test::SetUp() {
    dir_ = std::make_unique<temp_dir>();
    redis_server_ = std::make_unique<redis_server>(dir_->path(), persistent_redis_);
    redis_client_ = redis_server_->connect();
    publisher_ = std::make_unique<publisher>(dir_->path(), redis_server_->url());
}

void gateway_test::TearDown() {
    // A sanitizer build reports into its log and keeps running: fail on a report.
    std::vector<service*> all;
    for (auto const& g : gateways_) all.push_back(g.get());
    for (auto const& w : webhookds_) all.push_back(w.get());
    for (auto* s : all) {
        if (auto report = sanitizer_report(*s))
            ADD_FAILURE() << "sanitizer report in the log of " << s->name() << " " << s->instance_id() << ":\n"
                          << *report;
    }
    if (HasFailure()) {
        for (auto* s : all)
            std::cerr << "---- log of " << s->name() << " " << s->instance_id() << " (port " << s->port() << ", "
                      << describe_status(s->proc().status()) << "), last lines:\n"
                      << s->log_tail(40) << "----\n";
    }
    webhookds_.clear();
    gateways_.clear();
    redis_client_.reset();
    redis_server_.reset();
    dir_.reset();
}

std::optional<std::string> gateway_test::sanitizer_report(service const& g) {
    auto log = g.log();
    auto first = std::string::npos;
    for (char const* mark : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer",
                             "runtime error:"})
        first = std::min(first, log.find(mark));
    if (first == std::string::npos) return std::nullopt;
    auto line = log.rfind('\n', first);
    return log.substr(line == std::string::npos ? 0 : line + 1, 4000);
}

gateway& gateway_test::start_gateway(std::vector<std::string> extra_args, std::string instance_id) {
    if (instance_id.empty()) instance_id = std::string("gw-") + static_cast<char>('a' + gateways_.size());
    gateways_.push_back(
        std::make_unique<gateway>(dir_->path(), redis_server_->url(), instance_id, std::move(extra_args)));
    return *gateways_.back();
}

webhookd& gateway_test::start_webhookd(std::vector<std::string> extra_args, std::string instance_id) {
    if (instance_id.empty()) instance_id = std::string("wd-") + static_cast<char>('a' + webhookds_.size());
    webhookds_.push_back(
        std::make_unique<webhookd>(dir_->path(), redis_server_->url(), instance_id, std::move(extra_args)));
    return *webhookds_.back();
}

std::string gateway_test::unique(std::string const& prefix) {
    auto const* info = ::testing::UnitTest::GetInstance()->current_test_info();
    // A parameterised test's name ("case/param") would put a '/' into a device id (a path segment).
    std::string name = info ? info->name() : "x";
    std::replace(name.begin(), name.end(), '/', '.');
    return prefix + "-" + name + "-" + std::to_string(++counter_);
}

std::string gateway_test::write_key_file(std::vector<std::string> const& lines, mode_t mode) {
    auto path = dir_->file("webhook.keys").string();
    std::ofstream out(path, std::ios::trunc);
    for (auto const& l : lines) out << l << "\n";
    out.close();
    ::chmod(path.c_str(), mode);
    return path;
}

std::string gateway_test::new_key(std::string const& user, key_spec spec) {
    auto key = random_key();
    spec.user = user;
    create_key(redis(), key, spec);
    return key;
}

std::string gateway_test::new_user(std::string const& user, std::vector<std::string> const& devices) {
    for (auto const& d : devices) add_device(redis(), user, d);
    return new_key(user);
}

bool gateway_test::wait_subscribed(std::string const& channel, long long n, deadline d) {
    return poll_until(d, [&] {
        auto r = redis().command({"PUBSUB", "NUMSUB", channel});
        return r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[1]->type == REDIS_REPLY_INTEGER &&
               r->element[1]->integer >= n;
    });
}

std::string result_json(std::string const& device, int n) {
    return R"({"deviceId":")" + device + R"(","analysisId":"an-)" + std::to_string(n) +
           R"(","sceneId":"scene-1","timestamp":"2026-01-29T10:00:00Z","detections":[{"type":"person","confidence":0.93,"boundingBox":{"x":10,"y":20,"w":30,"h":40}}],"seq":)" +
           std::to_string(n) + "}";
}

publish_options result_traffic(std::string const& user, std::vector<std::string> devices) {
    publish_options o;
    o.user = user;
    o.devices = std::move(devices);
    o.make = [](std::string const& device, int n) { return result_json(device, n); };
    return o;
}

} // namespace ssegw::it
