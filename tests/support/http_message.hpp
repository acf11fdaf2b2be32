// HTTP/1.1 response pieces for the test clients: the head (status line + headers) and a body decoder
// for Content-Length, chunked and close-delimited bodies. Its chunked decoder is the one every suite
// uses (decode_chunked below: the unit tests and the fuzz targets check the framer's chunks with it).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssegw::it {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct response_head {
    std::string version;  // "HTTP/1.1"
    int status = 0;
    std::string reason;
    header_list headers;  // in order, names as sent, values without surrounding whitespace
    std::string raw;      // the head's bytes, for messages

    /// First value of a header (case-insensitive name).
    std::optional<std::string> header(std::string_view name) const;
    /// Every value of a header.
    std::vector<std::string> headers_named(std::string_view name) const;
    /// Transfer-Encoding ends in "chunked".
    bool chunked() const;
};

/// Parses a head (everything before the blank line, without it); nullopt if malformed.
std::optional<response_head> parse_response_head(std::string_view head);

/// Turns raw body bytes into payload bytes according to the response framing.
class body_decoder {
public:
    enum class framing { none, length, chunked, until_close };
    /// Chunked only. lenient: what a client must accept (chunk extensions, whitespace before them,
    /// trailer fields); strict: only what the gateway writes, "<hex>\r\n<bytes>\r\n"... "0\r\n\r\n".
    enum class chunk_syntax { lenient, strict };

    body_decoder() = default;
    body_decoder(framing f, std::size_t length, chunk_syntax s = chunk_syntax::lenient)
        : framing_(f), remaining_(length), syntax_(s) {}
    /// The framing a response to `method` with this head uses (RFC 9112 section 6.3).
    static body_decoder for_response(response_head const& head, std::string_view method);

    /// Appends decoded bytes of `raw` to `out`; false on a framing error (see error()).
    bool feed(std::string_view raw, std::string& out);
    /// The body is complete (length reached, terminating chunk + trailers read, or no body).
    bool complete() const noexcept { return complete_; }
    /// Chunked only: the zero-size chunk was seen.
    bool saw_last_chunk() const noexcept { return last_chunk_; }
    /// Chunked only: data chunks decoded so far (the last, zero-size chunk not counted).
    std::size_t chunks() const noexcept { return chunks_; }
    framing kind() const noexcept { return framing_; }
    std::string const& error() const noexcept { return error_; }
    /// Bytes received after the body ended (should stay empty on a closed stream).
    std::string const& excess() const noexcept { return excess_; }

private:
    bool feed_chunked(std::string& out);

    framing framing_ = framing::none;
    std::size_t remaining_ = 0;
    chunk_syntax syntax_ = chunk_syntax::lenient;
    std::size_t chunks_ = 0;
    bool complete_ = false;
    bool last_chunk_ = false;
    std::string pending_;  // chunked: undecoded bytes
    enum class chunk_state { size, data, data_crlf, trailers } state_ = chunk_state::size;
    std::string error_;
    std::string excess_;
};

/// A whole chunked body (RFC 9112 section 7.1), decoded in one go by body_decoder with
/// chunk_syntax::strict: nullopt if malformed, incomplete (no last chunk) or followed by anything;
/// then `error` (if given) says why. `chunks` (if given) receives the number of data chunks.
std::optional<std::string> decode_chunked(std::string_view in, std::string* error = nullptr,
                                          std::size_t* chunks = nullptr);

/// Lowercases ASCII.
std::string ascii_lower(std::string_view s);

} // namespace ssegw::it
