#pragma once
// IndexIterator: a forward iterator over positions 0, 1, ... of a container read by index, where
// *it is (*container)[position] (a reference, or a value the container builds on demand).

#include <cstddef>
#include <iterator>
#include <type_traits>

namespace samsa {

template <typename Container, typename Reference>
class IndexIterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = std::remove_cvref_t<Reference>;
  using difference_type = std::ptrdiff_t;
  using pointer = std::conditional_t<std::is_reference_v<Reference>, std::remove_reference_t<Reference>*, void>;
  using reference = Reference;

  IndexIterator() = default;
  IndexIterator(const Container* container, size_t index) : container_(container), index_(index) {}

  Reference operator*() const { return (*container_)[index_]; }
  auto operator->() const
    requires std::is_reference_v<Reference>
  {
    return &**this;
  }
  IndexIterator& operator++() {
    ++index_;
    return *this;
  }
  IndexIterator operator++(int) {
    IndexIterator old = *this;
    ++index_;
    return old;
  }
  friend bool operator==(const IndexIterator& a, const IndexIterator& b) { return a.index_ == b.index_; }

 private:
  const Container* container_ = nullptr;
  size_t index_ = 0;
};

}  // namespace samsa
