// Restricted unpickler (opcodes from CPython's pickletools; the torch.save layout from llava-detail.md §3.6).
// Values live in an arena addressed by index, so shared and even cyclic references cost nothing and nothing is
// ever destroyed recursively. Each opcode creates at most one value, so memory is bounded by the pickle size.
#include "io/torch_pickle.h"

#include <cstring>
#include <set>
#include <unordered_map>

#include "util/error.h"
#include "util/printable.h"

namespace dpn {

namespace {

enum class Kind : uint8_t { None, Bool, Int, Float, Str, Tuple, List, Dict, Global, Storage, Tensor };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::Str: return "str";
    case Kind::Tuple: return "tuple";
    case Kind::List: return "list";
    case Kind::Dict: return "dict";
    case Kind::Global: return "global";
    case Kind::Storage: return "storage";
    case Kind::Tensor: return "tensor";
  }
  return "?";
}

struct Value {
  Kind kind = Kind::None;
  int64_t i = 0;                // Int, Bool; Storage: numel; Tensor: offset
  std::string s;                // Str; Global: "module.name"; Storage: key
  std::vector<uint32_t> items;  // Tuple/List elements; Dict: key0, value0, key1, value1, ...; Tensor: {storage}
  DType dtype = DType::F32;     // Storage
  std::vector<int64_t> shape, stride;  // Tensor
};

struct StorageType {
  const char* global;
  DType dtype;
};
constexpr StorageType kStorageTypes[] = {
    {"torch.FloatStorage", DType::F32}, {"torch.HalfStorage", DType::F16},   {"torch.BFloat16Storage", DType::BF16},
    {"torch.DoubleStorage", DType::F64}, {"torch.LongStorage", DType::I64},  {"torch.IntStorage", DType::I32},
    {"torch.ShortStorage", DType::I16},  {"torch.CharStorage", DType::I8},   {"torch.ByteStorage", DType::U8},
    {"torch.BoolStorage", DType::BOOL},
};
const char* const kOrderedDict = "collections.OrderedDict";
const char* const kRebuildTensor = "torch._utils._rebuild_tensor_v2";
const char* const kRebuildParameter = "torch._utils._rebuild_parameter";

// Names of the opcodes we do not implement, so the error says which one was met.
const char* opcode_name(uint8_t op) {
  switch (op) {
    case 'i': return "INST";
    case 'o': return "OBJ";
    case 0x81: return "NEWOBJ";
    case 0x92: return "NEWOBJ_EX";
    case 'P': return "PERSID";
    case 'S': return "STRING";
    case 'T': return "BINSTRING";
    case 'U': return "SHORT_BINSTRING";
    case 'V': return "UNICODE";
    case 'B': return "BINBYTES";
    case 'C': return "SHORT_BINBYTES";
    case 0x8e: return "BINBYTES8";
    case 0x96: return "BYTEARRAY8";
    case 'F': return "FLOAT";
    case 'I': return "INT";
    case 'L': return "LONG";
    case 0x8b: return "LONG4";
    case 'p': return "PUT";
    case 'g': return "GET";
    case 0x82: return "EXT1";
    case 0x83: return "EXT2";
    case 0x84: return "EXT4";
    case '2': return "DUP";
    case '1': return "POP_MARK";
    case 0x8f: return "EMPTY_SET";
    case 0x90: return "ADDITEMS";
    case 0x91: return "FROZENSET";
    case 0x97: return "NEXT_BUFFER";
    case 0x98: return "READONLY_BUFFER";
    default: return "unknown opcode";
  }
}

std::string hex_byte(uint8_t b) {
  const char* d = "0123456789abcdef";
  return std::string("0x") + d[b >> 4] + d[b & 15];
}

class Unpickler {
 public:
  Unpickler(const std::byte* data, uint64_t size, const std::string& where) : p_(data), size_(size), where_(where) {}

  uint32_t run() {
    while (true) {
      op_pos_ = pos_;
      const uint8_t op = u8();
      switch (op) {
        case 0x80: {  // PROTO
          const uint8_t v = u8();
          if (v < 2 || v > 5) fail("PROTO " + std::to_string(v) + " is not a protocol torch.save writes (2..5)");
          break;
        }
        case 0x95: (void)take(8); break;  // FRAME: a length hint only
        case '.': {                       // STOP
          const uint32_t r = pop("STOP");
          if (!marks_.empty()) fail("STOP with an unclosed MARK");
          return r;
        }
        case '(': marks_.push_back(stack_.size()); break;
        case 'N': push(make(Kind::None)); break;
        case 0x88: push(make_int(Kind::Bool, 1)); break;
        case 0x89: push(make_int(Kind::Bool, 0)); break;
        case 'K': push(make_int(Kind::Int, u8())); break;
        case 'M': push(make_int(Kind::Int, static_cast<int64_t>(le(2)))); break;
        case 'J': push(make_int(Kind::Int, static_cast<int32_t>(static_cast<uint32_t>(le(4))))); break;
        case 0x8a: {  // LONG1: n bytes of little-endian two's complement
          const uint8_t n = u8();
          if (n > 8) fail("LONG1 of " + std::to_string(n) + " bytes does not fit in 64 bits");
          uint64_t v = n ? le(n) : 0;
          if (n > 0 && n < 8 && (v >> (8 * n - 1)) & 1) v |= ~uint64_t{0} << (8 * n);  // sign-extend
          push(make_int(Kind::Int, static_cast<int64_t>(v)));
          break;
        }
        case 'G': {  // BINFLOAT: big-endian double
          const std::byte* b = take(8);
          uint64_t bits = 0;
          for (int k = 0; k < 8; ++k) bits = (bits << 8) | static_cast<uint8_t>(b[k]);
          Value v;
          v.kind = Kind::Float;
          v.i = static_cast<int64_t>(bits);
          push(add(std::move(v)));
          break;
        }
        case 'X': push_str(le(4)); break;     // BINUNICODE
        case 0x8c: push_str(u8()); break;     // SHORT_BINUNICODE
        case 0x8d: push_str(le(8)); break;    // BINUNICODE8
        case ')': push(make(Kind::Tuple)); break;
        case 0x85: tuple_of(1); break;
        case 0x86: tuple_of(2); break;
        case 0x87: tuple_of(3); break;
        case 't': {
          const size_t m = pop_mark("TUPLE");
          Value v;
          v.kind = Kind::Tuple;
          v.items.assign(stack_.begin() + m, stack_.end());
          stack_.resize(m);
          push(add(std::move(v)));
          break;
        }
        case ']': push(make(Kind::List)); break;
        case 'l': {
          const size_t m = pop_mark("LIST");
          Value v;
          v.kind = Kind::List;
          v.items.assign(stack_.begin() + m, stack_.end());
          stack_.resize(m);
          push(add(std::move(v)));
          break;
        }
        case 'a': {  // APPEND
          const uint32_t x = pop("APPEND");
          container(Kind::List, "APPEND").items.push_back(x);
          break;
        }
        case 'e': {  // APPENDS
          const size_t m = pop_mark("APPENDS");
          if (m == 0) fail("APPENDS has no list below its MARK");
          Value& list = at(stack_[m - 1], Kind::List, "APPENDS");
          list.items.insert(list.items.end(), stack_.begin() + m, stack_.end());
          stack_.resize(m);
          break;
        }
        case '}': push(make(Kind::Dict)); break;
        case 'd': {  // DICT
          const size_t m = pop_mark("DICT");
          if ((stack_.size() - m) % 2) fail("DICT with an odd number of items");
          Value v;
          v.kind = Kind::Dict;
          v.items.assign(stack_.begin() + m, stack_.end());
          stack_.resize(m);
          push(add(std::move(v)));
          break;
        }
        case 's': {  // SETITEM
          const uint32_t val = pop("SETITEM");
          const uint32_t key = pop("SETITEM");
          Value& d = container(Kind::Dict, "SETITEM");
          d.items.push_back(key);
          d.items.push_back(val);
          break;
        }
        case 'u': {  // SETITEMS
          const size_t m = pop_mark("SETITEMS");
          if ((stack_.size() - m) % 2) fail("SETITEMS with an odd number of items");
          if (m == 0) fail("SETITEMS has no dict below its MARK");
          Value& d = at(stack_[m - 1], Kind::Dict, "SETITEMS");
          d.items.insert(d.items.end(), stack_.begin() + m, stack_.end());
          stack_.resize(m);
          break;
        }
        case 'q': memo_[u8()] = top("BINPUT"); break;
        case 'r': memo_[static_cast<uint32_t>(le(4))] = top("LONG_BINPUT"); break;
        case 0x94: memo_[static_cast<uint32_t>(memo_.size())] = top("MEMOIZE"); break;
        case 'h': push(memo_get(u8())); break;
        case 'j': push(memo_get(static_cast<uint32_t>(le(4)))); break;
        case '0': (void)pop("POP"); break;
        case 'c': {  // GLOBAL "module\nname\n"
          std::string module = line(), name = line();
          push(global(module + "." + name));
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          const uint32_t name = pop("STACK_GLOBAL"), module = pop("STACK_GLOBAL");
          if (arena_[name].kind != Kind::Str || arena_[module].kind != Kind::Str) fail("STACK_GLOBAL needs two strings");
          push(global(arena_[module].s + "." + arena_[name].s));
          break;
        }
        case 'Q': push(persistent_storage(pop("BINPERSID"))); break;
        case 'R': {
          const uint32_t args = pop("REDUCE"), fn = pop("REDUCE");
          push(reduce(fn, args));
          break;
        }
        case 'b': {  // BUILD: the only object with state here is a state dict's OrderedDict (its `_metadata`)
          (void)pop("BUILD");
          const uint32_t obj = top("BUILD");
          if (arena_[obj].kind != Kind::Dict) fail(std::string("BUILD on a ") + kind_name(arena_[obj].kind) + "; only an OrderedDict may carry state");
          break;
        }
        default:
          fail("unsupported pickle opcode " + hex_byte(op) + " (" + opcode_name(op) +
               "); a torch.save state dict does not use it");
      }
    }
  }

  const Value& value(uint32_t ref) const { return arena_[ref]; }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(where_, what + " (at byte " + std::to_string(op_pos_) + " of the pickle)");
  }

 private:
  uint8_t u8() { return static_cast<uint8_t>(take(1)[0]); }
  uint64_t le(int n) {
    const std::byte* b = take(n);
    uint64_t v = 0;
    for (int k = n - 1; k >= 0; --k) v = (v << 8) | static_cast<uint8_t>(b[k]);
    return v;
  }
  const std::byte* take(uint64_t n) {
    if (n > size_ - pos_) fail("pickle ends in the middle of an opcode (truncated data.pkl)");
    const std::byte* b = p_ + pos_;
    pos_ += n;
    return b;
  }
  std::string line() {
    const void* nl = std::memchr(p_ + pos_, '\n', size_ - pos_);
    if (!nl) fail("GLOBAL name is not terminated by a newline");
    const char* b = reinterpret_cast<const char*>(p_ + pos_);
    const uint64_t len = static_cast<uint64_t>(static_cast<const std::byte*>(nl) - (p_ + pos_));
    pos_ += len + 1;
    return std::string(b, len);
  }

  uint32_t add(Value v) {
    arena_.push_back(std::move(v));
    return static_cast<uint32_t>(arena_.size() - 1);
  }
  uint32_t make(Kind k) {
    Value v;
    v.kind = k;
    return add(std::move(v));
  }
  uint32_t make_int(Kind k, int64_t i) {
    Value v;
    v.kind = k;
    v.i = i;
    return add(std::move(v));
  }
  void push(uint32_t ref) { stack_.push_back(ref); }
  void push_str(uint64_t n) {
    const std::byte* b = take(n);
    Value v;
    v.kind = Kind::Str;
    v.s.assign(reinterpret_cast<const char*>(b), n);
    push(add(std::move(v)));
  }
  uint32_t pop(const char* op) {
    if (stack_.size() <= floor()) fail(std::string(op) + " on an empty stack");
    const uint32_t r = stack_.back();
    stack_.pop_back();
    return r;
  }
  uint32_t top(const char* op) {
    if (stack_.size() <= floor()) fail(std::string(op) + " on an empty stack");
    return stack_.back();
  }
  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  size_t pop_mark(const char* op) {
    if (marks_.empty()) fail(std::string(op) + " without a MARK");
    const size_t m = marks_.back();
    marks_.pop_back();
    return m;
  }
  void tuple_of(size_t n) {
    if (stack_.size() < floor() + n) fail("TUPLE" + std::to_string(n) + " needs " + std::to_string(n) + " items on the stack");
    Value v;
    v.kind = Kind::Tuple;
    v.items.assign(stack_.end() - n, stack_.end());
    stack_.resize(stack_.size() - n);
    push(add(std::move(v)));
  }
  Value& at(uint32_t ref, Kind k, const char* op) {
    if (arena_[ref].kind != k)
      fail(std::string(op) + " expects a " + kind_name(k) + " but finds a " + kind_name(arena_[ref].kind));
    return arena_[ref];
  }
  Value& container(Kind k, const char* op) { return at(top(op), k, op); }
  uint32_t memo_get(uint32_t key) {
    auto it = memo_.find(key);
    if (it == memo_.end()) fail("memo key " + std::to_string(key) + " was never stored");
    return it->second;
  }

  uint32_t global(const std::string& name) {
    bool ok = name == kOrderedDict || name == kRebuildTensor || name == kRebuildParameter;
    for (const auto& s : kStorageTypes) ok = ok || name == s.global;
    if (!ok)
      fail("refuses pickle global '" + printable(name) + "': only the globals that rebuild tensors and OrderedDicts are "
           "allowed (nothing was imported or executed). This file is not a plain torch.save state dict");
    Value v;
    v.kind = Kind::Global;
    v.s = name;
    return add(std::move(v));
  }

  // ('storage', torch.XStorage, key, location, numel)
  uint32_t persistent_storage(uint32_t pid) {
    const Value& t = arena_[pid];
    if (t.kind != Kind::Tuple || t.items.size() != 5)
      fail("persistent id must be a 5-tuple ('storage', type, key, location, numel)");
    const Value& tag = arena_[t.items[0]];
    const Value& type = arena_[t.items[1]];
    const Value& key = arena_[t.items[2]];
    const Value& numel = arena_[t.items[4]];
    if (tag.kind != Kind::Str || tag.s != "storage") fail("persistent id does not start with 'storage'");
    if (type.kind != Kind::Global) fail("persistent id names no storage type");
    if (key.kind != Kind::Str) fail("persistent id storage key is not a string");
    if (numel.kind != Kind::Int || numel.i < 0) fail("persistent id storage size is not a non-negative int");
    Value v;
    v.kind = Kind::Storage;
    bool found = false;
    for (const auto& s : kStorageTypes)
      if (type.s == s.global) {
        v.dtype = s.dtype;
        found = true;
      }
    if (!found) fail("persistent id type '" + type.s + "' is not a storage type");
    v.s = key.s;
    v.i = numel.i;
    return add(std::move(v));
  }

  std::vector<int64_t> int_tuple(uint32_t ref, const char* what) {
    const Value& t = arena_[ref];
    if (t.kind != Kind::Tuple) fail(std::string("_rebuild_tensor_v2 ") + what + " is not a tuple");
    std::vector<int64_t> out;
    for (uint32_t r : t.items) {
      if (arena_[r].kind != Kind::Int || arena_[r].i < 0)
        fail(std::string("_rebuild_tensor_v2 ") + what + " holds something other than a non-negative int");
      out.push_back(arena_[r].i);
    }
    return out;
  }

  uint32_t reduce(uint32_t fn, uint32_t args_ref) {
    if (arena_[fn].kind != Kind::Global) fail(std::string("REDUCE calls a ") + kind_name(arena_[fn].kind) + ", not an allowed global");
    if (arena_[args_ref].kind != Kind::Tuple) fail("REDUCE arguments are not a tuple");
    const std::string name = arena_[fn].s;
    const std::vector<uint32_t> args = arena_[args_ref].items;
    if (name == kOrderedDict) {
      if (!args.empty()) fail("OrderedDict(...) with arguments is not supported");
      return make(Kind::Dict);
    }
    if (name == kRebuildTensor) {
      // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
      if (args.size() != 6 && args.size() != 7) fail("_rebuild_tensor_v2 takes 6 or 7 arguments, got " + std::to_string(args.size()));
      if (arena_[args[0]].kind != Kind::Storage) fail("_rebuild_tensor_v2 argument 0 is not a storage");
      if (arena_[args[1]].kind != Kind::Int || arena_[args[1]].i < 0) fail("_rebuild_tensor_v2 offset is not a non-negative int");
      Value v;
      v.kind = Kind::Tensor;
      v.items = {args[0]};
      v.i = arena_[args[1]].i;
      v.shape = int_tuple(args[2], "size");
      v.stride = int_tuple(args[3], "stride");
      if (v.shape.size() != v.stride.size()) fail("_rebuild_tensor_v2 size and stride differ in length");
      return add(std::move(v));
    }
    if (name == kRebuildParameter) {  // (tensor, requires_grad, backward_hooks): a Parameter is its tensor here
      if (args.size() != 3 || arena_[args[0]].kind != Kind::Tensor) fail("_rebuild_parameter expects (tensor, requires_grad, hooks)");
      return args[0];
    }
    fail("global '" + name + "' cannot be called");
  }

  const std::byte* p_;
  uint64_t size_;
  uint64_t pos_ = 0, op_pos_ = 0;
  std::string where_;
  std::vector<Value> arena_;
  std::vector<uint32_t> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint32_t, uint32_t> memo_;
};

}  // namespace

const std::vector<std::string>& allowed_pickle_globals() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n = {kOrderedDict, kRebuildTensor, kRebuildParameter};
    for (const auto& s : kStorageTypes) n.push_back(s.global);
    return n;
  }();
  return names;
}

std::vector<PickledTensor> read_state_dict_pickle(const std::byte* data, uint64_t size, const std::string& where) {
  Unpickler u(data, size, where);
  const Value& root = u.value(u.run());
  if (root.kind != Kind::Dict)
    throw Error(where, std::string("the pickle holds a ") + kind_name(root.kind) + ", expected a state dict (dict of name -> tensor)");
  std::vector<PickledTensor> out;
  std::set<std::string> seen;
  for (size_t k = 0; k + 1 < root.items.size(); k += 2) {
    const Value& key = u.value(root.items[k]);
    const Value& val = u.value(root.items[k + 1]);
    if (key.kind != Kind::Str) throw Error(where, std::string("state dict has a ") + kind_name(key.kind) + " key; expected tensor names");
    if (val.kind != Kind::Tensor)
      throw Error(where, "state dict entry '" + printable(key.s) + "' is a " + kind_name(val.kind) +
                             ", not a tensor (nested checkpoints such as {'state_dict': ...} are not supported)");
    if (!seen.insert(key.s).second) throw Error(where, "state dict names tensor '" + printable(key.s) + "' twice");
    const Value& st = u.value(val.items[0]);
    PickledTensor t;
    t.name = key.s;
    t.dtype = st.dtype;
    t.storage_key = st.s;
    t.storage_numel = static_cast<uint64_t>(st.i);
    t.offset = val.i;
    t.shape = val.shape;
    t.stride = val.stride;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace dpn
