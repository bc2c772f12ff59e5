#include "tools/concordctl/self_signed.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/files.h"

namespace concord::ctl {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

absl::Status OpenSslError(const std::string& what) {
  return absl::InternalError(absl::StrCat("无法生成证书 / cannot make the certificate: ", what));
}

// "10.1.2.3:8443" -> "10.1.2.3"; "[::1]:8443" -> "::1"; a bare name stays.
std::string HostPart(const std::string& host) {
  if (!host.empty() && host[0] == '[') {
    const auto end = host.find(']');
    return end == std::string::npos ? host : host.substr(1, end - 1);
  }
  const auto colon = host.find(':');
  if (colon != std::string::npos && host.find(':', colon + 1) == std::string::npos)
    return host.substr(0, colon);
  return host;
}

bool IsAddress(const std::string& h) {
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

absl::Status AddExtension(X509* x, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(x, ext.get(), -1) != 1) return OpenSslError(OBJ_nid2sn(nid));
  return absl::OkStatus();
}

// The PEM text `write` puts into a memory BIO.
template <typename F>
absl::StatusOr<std::string> Pem(F write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return OpenSslError("PEM");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace

absl::Status MakeSelfSignedCertificate(const std::string& cert_path, const std::string& key_path,
                                       const std::vector<std::string>& hosts,
                                       const std::string& organisation) {
  for (const std::string& p : {cert_path, key_path})
    if (std::filesystem::exists(p))
      return absl::AlreadyExistsError(absl::StrCat("文件已存在 / already exists: ", p));
  std::vector<std::string> names;
  for (const std::string& h : hosts) names.push_back(HostPart(h));
  for (const char* local : {"localhost", "127.0.0.1"})
    if (std::find(names.begin(), names.end(), local) == names.end()) names.push_back(local);
  std::vector<std::string> san;
  for (const std::string& n : names) san.push_back(absl::StrCat(IsAddress(n) ? "IP:" : "DNS:", n));

  PkeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr x(X509_new());
  if (!key || !x) return OpenSslError("EC P-256");
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return OpenSslError("RAND_bytes");
  serial[0] &= 0x7f;  // a positive serial
  BnPtr bn(BN_bin2bn(serial, sizeof serial, nullptr));
  X509_NAME* subject = X509_get_subject_name(x.get());
  if (!bn || X509_set_version(x.get(), 2) != 1 ||
      !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x.get())) ||
      !X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600) ||
      !X509_gmtime_adj(X509_getm_notAfter(x.get()), 825L * 24 * 3600) ||
      X509_set_pubkey(x.get(), key.get()) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(names[0].c_str()), -1, -1,
                                 0) != 1 ||
      (!organisation.empty() &&
       X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(organisation.c_str()), -1,
                                  -1, 0) != 1) ||
      X509_set_issuer_name(x.get(), subject) != 1)
    return OpenSslError("X509 fields");
  if (auto st = AddExtension(x.get(), NID_subject_alt_name, absl::StrJoin(san, ",")); !st.ok())
    return st;
  if (auto st = AddExtension(x.get(), NID_basic_constraints, "critical,CA:FALSE"); !st.ok())
    return st;
  if (auto st = AddExtension(x.get(), NID_key_usage, "critical,digitalSignature"); !st.ok())
    return st;
  if (auto st = AddExtension(x.get(), NID_ext_key_usage, "serverAuth"); !st.ok()) return st;
  if (X509_sign(x.get(), key.get(), EVP_sha256()) <= 0) return OpenSslError("X509_sign");

  auto key_pem = Pem([&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  auto cert_pem = Pem([&](BIO* b) { return PEM_write_bio_X509(b, x.get()); });
  if (!key_pem.ok()) return key_pem.status();
  if (!cert_pem.ok()) return cert_pem.status();
  if (auto st = WriteNewFile(key_path, *key_pem, 0600); !st.ok()) return st;
  if (auto st = ShareSecretWithDaemons(key_path); !st.ok()) return st;
  return WriteNewFile(cert_path, *cert_pem, 0644);
}

}  // namespace concord::ctl
