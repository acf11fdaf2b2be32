#include "common/redis/asio_adapter.hpp"

namespace ssegw::redis {

asio_adapter::asio_adapter(net::any_io_executor ex, redisAsyncContext* ac) : ac_(ac), sd_(ex, ac->c.fd) {}

asio_adapter::~asio_adapter() {
    if (sd_.is_open()) sd_.release();  // never close hiredis's fd
}

void asio_adapter::attach() {
    ac_->ev.data = this;
    ac_->ev.addRead = [](void* p) { from(p).want(read, true); };
    ac_->ev.delRead = [](void* p) { from(p).want(read, false); };
    ac_->ev.addWrite = [](void* p) { from(p).want(write, true); };
    ac_->ev.delWrite = [](void* p) { from(p).want(write, false); };
    ac_->ev.cleanup = [](void* p) { from(p).on_cleanup(); };
}

void asio_adapter::want(int d, bool on) {
    want_[d] = on;
    if (on && !armed_[d] && ac_) arm(d);
}

void asio_adapter::arm(int d) {
    armed_[d] = true;
    // The pending wait holds the adapter alive while hiredis may be unwinding the context.
    sd_.async_wait(d == write ? net::posix::descriptor_base::wait_write : net::posix::descriptor_base::wait_read,
                   [self = shared_from_this(), d](error_code ec) { self->on_ready(d, ec); });
}

void asio_adapter::on_ready(int d, error_code ec) {
    armed_[d] = false;
    if (ec || !ac_ || !want_[d]) return;
    if (d == write) redisAsyncHandleWrite(ac_);
    else redisAsyncHandleRead(ac_);  // may free the context: on_cleanup() nulls ac_
    if (ac_ && want_[d] && !armed_[d]) arm(d);
}

void asio_adapter::on_cleanup() {
    ac_ = nullptr;
    want_[read] = want_[write] = false;
    if (sd_.is_open()) sd_.release();  // cancels the waits; hiredis closes the fd next
}

} // namespace ssegw::redis
