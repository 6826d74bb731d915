// Minimal hashset<T> of the Mesos stand-in (stout's name; there it is a
// boost::unordered_set with contains()).
#ifndef MESOS_STANDIN_STOUT_HASHSET_HPP
#define MESOS_STANDIN_STOUT_HASHSET_HPP

#include <functional>
#include <unordered_set>

template <typename Elem,
          typename Hash = std::hash<Elem>,
          typename Equal = std::equal_to<Elem>>
class hashset : public std::unordered_set<Elem, Hash, Equal>
{
public:
  bool contains(const Elem& elem) const { return this->count(elem) > 0; }
};

#endif // MESOS_STANDIN_STOUT_HASHSET_HPP
