#include "common/redis/value.hpp"

namespace ssegw::redis {

value copy_of(redisReply const* r) {
    value v;
    if (!r) return v;
    switch (r->type) {
    case REDIS_REPLY_INTEGER:
        v.type = value::kind::integer;
        v.integer = r->integer;
        break;
    case REDIS_REPLY_STRING:
        v.type = value::kind::string;
        v.str.assign(r->str, r->len);
        break;
    case REDIS_REPLY_STATUS:
        v.type = value::kind::status;
        v.str.assign(r->str, r->len);
        break;
    case REDIS_REPLY_ERROR:
        v.type = value::kind::error;
        v.str.assign(r->str, r->len);
        break;
    case REDIS_REPLY_ARRAY:
        v.type = value::kind::array;
        v.elements.reserve(r->elements);
        for (std::size_t i = 0; i < r->elements; ++i) v.elements.push_back(copy_of(r->element[i]));
        break;
    default: break;
    }
    return v;
}

std::vector<std::pair<std::string, std::string>> value::pairs() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (std::size_t i = 0; i + 1 < elements.size(); i += 2)
        if (elements[i].type == kind::string && elements[i + 1].type == kind::string)
            out.emplace_back(elements[i].str, elements[i + 1].str);
    return out;
}

} // namespace ssegw::redis
