// SentencePiece tokenizer of a LLaVA checkpoint (tokenizer.model), plus the added tokens that live outside the
// SentencePiece vocabulary (<image> in llava-hf, <ROUTER> in DPN checkpoints).
#pragma once
#include <map>
#include <string>
#include <vector>

namespace dpn {

class Tokenizer {
 public:
  // Loads `dir/tokenizer.model`; throws dpn::Error naming the file when it is missing or unreadable.
  explicit Tokenizer(const std::string& dir);
  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // SentencePiece encoding of one text chunk (dummy prefix applied, no BOS).
  std::vector<int> encode(const std::string& text) const;
  // Decodes generated ids, skipping special and added tokens (as LLaVA does with skip_special_tokens).
  std::string decode(const std::vector<int>& ids) const;
  int vocab_size() const;  // SentencePiece pieces only
  int bos_id() const;
  int eos_id() const;

  // Added tokens (content -> id), e.g. "<ROUTER>" -> 32000.
  void add_token(const std::string& content, int id) { added_[content] = id; }
  const std::map<std::string, int>& added_tokens() const { return added_; }
  const std::string& path() const { return path_; }

 private:
  void* sp_ = nullptr;  // handle from the sentencepiece shim
  std::map<std::string, int> added_;
  std::string path_;
};

}  // namespace dpn
