// Asio's SSL support compiled once, beside common/asio_impl.cpp (BOOST_ASIO_SEPARATE_COMPILATION).
#include <boost/asio/ssl/impl/src.hpp>
