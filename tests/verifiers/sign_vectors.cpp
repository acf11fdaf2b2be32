// Prints, as one JSON object, the signature headers the webhook sender puts on a request, so the
// receiver examples in docs/WEBHOOKS.md can be checked against what we really produce.
//   sign_vectors --secret S [--previous-secret P] --id ID --timestamp SECONDS --body FILE
#include "webhooks/signing/signature.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
    CLI::App app{"Print the signature headers of one webhook request as JSON"};
    std::string secret, previous, id, body_file;
    std::int64_t timestamp = 0;
    app.add_option("--secret", secret, "current secret (its characters are the key)")->required();
    auto* previous_opt = app.add_option("--previous-secret", previous, "secret still in its rotation grace");
    app.add_option("--id", id, "event id (webhook-id)")->required();
    app.add_option("--timestamp", timestamp, "attempt start, unix seconds")->required();
    app.add_option("--body", body_file, "file holding the exact body bytes")->required();
    CLI11_PARSE(app, argc, argv);

    std::ifstream in(body_file, std::ios::binary);
    if (!in) {
        std::cerr << "sign_vectors: cannot read " << body_file << "\n";
        return 2;
    }
    std::string const body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};

    std::optional<std::string_view> previous_key;
    if (*previous_opt) previous_key = previous;
    namespace wh = ssegw::webhooks;
    nlohmann::json headers = {
        {"X-SaaS-Signature", wh::saas_signature(secret, timestamp, body)},
        {"X-SaaS-Timestamp", std::to_string(timestamp)},
        {"webhook-id", id},
        {"webhook-timestamp", std::to_string(timestamp)},
        {"webhook-signature", wh::webhook_signature_header(secret, previous_key, id, timestamp, body)},
        {"standardWebhooksSecret", wh::standard_webhooks_secret(secret)},
    };
    std::cout << headers.dump() << "\n";
    return 0;
}
