// Binds one hiredis 0.14 async context to one Asio executor: hiredis's read/write hooks become
// async_wait()s on the context's socket. Every hiredis call happens on that executor.
#pragma once

#include "common/net.hpp"

#include <hiredis/async.h>

#include <memory>

namespace ssegw::redis {

class asio_adapter : public std::enable_shared_from_this<asio_adapter> {
public:
    asio_adapter(net::any_io_executor ex, redisAsyncContext* ac);
    ~asio_adapter();

    /// Installs the hooks; call before redisAsyncSetConnectCallback (which already calls addWrite).
    void attach();

private:
    enum dir { read = 0, write = 1 };
    static asio_adapter& from(void* p) { return *static_cast<asio_adapter*>(p); }
    void want(int d, bool on);
    void arm(int d);
    void on_ready(int d, error_code ec);
    void on_cleanup();

    redisAsyncContext* ac_;             // null once hiredis called cleanup
    net::posix::stream_descriptor sd_;  // watches ac_->c.fd; hiredis owns and closes the fd
    bool want_[2]{};
    bool armed_[2]{};
};

} // namespace ssegw::redis
