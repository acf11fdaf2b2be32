// Recycled memory for an I/O operation that is never in flight twice at once (a stream's one
// write): Asio's per-operation allocation otherwise costs a malloc and a free per delivery.
// The pattern of Asio's allocation example, through net::bind_allocator.
#pragma once

#include <cstddef>
#include <new>

namespace ssegw {

class handler_memory {
public:
    handler_memory() = default;
    handler_memory(handler_memory const&) = delete;
    handler_memory& operator=(handler_memory const&) = delete;

    void* allocate(std::size_t size) {
        if (!in_use_ && size <= sizeof storage_) {
            in_use_ = true;
            return storage_;
        }
        return ::operator new(size);
    }
    void deallocate(void* p) noexcept {
        if (p == storage_) in_use_ = false;
        else ::operator delete(p);
    }

private:
    alignas(std::max_align_t) unsigned char storage_[256];
    bool in_use_ = false;
};

/// A standard allocator over one handler_memory; Asio rebinds it to its operation type.
template <class T>
class handler_allocator {
public:
    using value_type = T;
    explicit handler_allocator(handler_memory& m) noexcept : memory_(&m) {}
    template <class U>
    handler_allocator(handler_allocator<U> const& other) noexcept : memory_(other.memory_) {}

    T* allocate(std::size_t n) { return static_cast<T*>(memory_->allocate(sizeof(T) * n)); }
    void deallocate(T* p, std::size_t) noexcept { memory_->deallocate(p); }

    template <class U>
    bool operator==(handler_allocator<U> const& other) const noexcept { return memory_ == other.memory_; }

private:
    template <class>
    friend class handler_allocator;
    handler_memory* memory_;
};

} // namespace ssegw
