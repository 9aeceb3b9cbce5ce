# frozen_string_literal: true

require "openssl"

# The task fixes this path (spec/signature_spec.rb), not spec/waweb_native/.
RSpec.describe WawebNative::Signature do # rubocop:disable RSpec/SpecFilePathFormat
  let(:secret) { "s3cr3t-webhook-key" }
  let(:body) { File.binread(File.join(FIXTURES, "v8", "image_caption.json")) }

  # What the gateway does: HMAC-SHA256 over the exact body bytes, lowercase hex.
  def gateway_header(secret, body)
    "sha256=#{OpenSSL::HMAC.hexdigest('SHA256', secret, body)}"
  end

  def flip(str, index)
    bytes = str.b
    bytes.setbyte(index, bytes.getbyte(index) ^ 0x01)
    bytes
  end

  describe ".sign" do
    it "matches the gateway's signature byte for byte" do
      expect(described_class.sign(secret, body)).to eq(gateway_header(secret, body))
    end

    it "returns an ASCII string of the fixed shape" do
      sig = described_class.sign(secret, body)
      expect(sig).to match(/\Asha256=[0-9a-f]{64}\z/)
      expect(sig.encoding).to eq(Encoding::US_ASCII)
    end

    it "signs binary and empty bodies" do
      binary = (0..255).map(&:chr).join.b * 4
      expect(described_class.sign(secret, binary)).to eq(gateway_header(secret, binary))
      expect(described_class.sign(secret, "")).to eq(gateway_header(secret, ""))
    end

    it "signs the bytes, whatever the string's encoding says" do
      utf8 = "olá, 👋"
      expect(described_class.sign(secret, utf8)).to eq(described_class.sign(secret, utf8.b))
    end

    # Each thread reuses one HMAC context and keeps its key while the secret stays the
    # same: no key may leak into a call with another secret, in any thread. The list has
    # repeats, secrets one byte apart (first and last) and one past the cache's 128 bytes.
    it "re-keys whenever the secret changes, for short, block-sized and long secrets, in every thread" do
      secrets = ["k", "k", "l", "x" * 64, "#{'x' * 63}w", "w#{'x' * 63}", "y" * 65, "z" * 300, "#{'z' * 299}a",
                 secret, secret]
      threads = Array.new(4) do |t|
        Thread.new do
          50.times.flat_map do |i|
            key = secrets[(i + t) % secrets.size]
            [described_class.sign(key, body) == gateway_header(key, body)]
          end
        end
      end
      expect(threads.flat_map(&:value)).to all(be(true))
    end

    it "refuses an empty or nil secret without echoing it" do
      expect { described_class.sign("", body) }.to raise_error(ArgumentError, "webhook secret is empty")
      expect { described_class.sign(nil, body) }.to raise_error(ArgumentError, "webhook secret is nil")
    end
  end

  describe ".verify?" do
    let(:header) { gateway_header(secret, body) }

    it "accepts a signature computed the gateway's way" do
      expect(described_class.verify?(secret, body, header)).to be(true)
    end

    it "accepts binary and empty bodies" do
      binary = Random.new(42).bytes(4096)
      expect(described_class.verify?(secret, binary, gateway_header(secret, binary))).to be(true)
      expect(described_class.verify?(secret, "", gateway_header(secret, ""))).to be(true)
      expect(described_class.verify?(secret, "", gateway_header(secret, "x"))).to be(false)
    end

    it "rejects one flipped byte of the body, anywhere" do
      [0, body.bytesize / 2, body.bytesize - 1].each do |i|
        expect(described_class.verify?(secret, flip(body, i), header)).to be(false)
      end
    end

    it "rejects one flipped byte of the secret, also right after the right secret verified" do
      expect(described_class.verify?(secret, body, header)).to be(true)
      expect(described_class.verify?(flip(secret, 0), body, header)).to be(false)
      expect(described_class.verify?(secret, body, header)).to be(true)
      expect(described_class.verify?(flip(secret, secret.bytesize - 1), body, header)).to be(false)
    end

    it "rejects one changed hex digit of the signature, anywhere" do
      [7, 40, header.bytesize - 1].each do |i|
        tampered = header.dup
        tampered[i] = tampered[i] == "0" ? "1" : "0"
        expect(described_class.verify?(secret, body, tampered)).to be(false)
      end
    end

    # Hex digits in either case spell the same digest bytes; decoding then comparing
    # the 32 bytes keeps it constant time. The gateway itself sends lowercase.
    it "accepts uppercase hex for the same digest" do
      upper = "sha256=#{header.delete_prefix('sha256=').upcase}"
      expect(described_class.verify?(secret, body, upper)).to be(true)
    end

    it "never raises on a malformed header, only says false" do
      hex = header.delete_prefix("sha256=")
      [
        nil, "", "sha256=", "sha256", "sha1=#{hex}", "SHA256=#{hex}", "sha512=#{hex}", hex,
        "sha256=#{hex[0..-2]}", "sha256=#{hex}0", "sha256=#{hex[0..-2]}g", "sha256=#{'z' * 64}",
        " #{header}", "#{header}\n", "sha256=#{hex}".b.tap { |s| s.setbyte(10, 0) },
        "sha256=#{'é' * 32}", 12_345, :sym, ["sha256=#{hex}"]
      ].each do |bad|
        expect(described_class.verify?(secret, body, bad)).to be(false), "expected false for #{bad.inspect}"
      end
    end

    it "never verifies with a nil or empty secret" do
      expect(described_class.verify?(nil, body, header)).to be(false)
      expect(described_class.verify?("", "", gateway_header("", ""))).to be(false)
    end

    it "raises TypeError for a body that is not a String" do
      expect { described_class.verify?(secret, nil, header) }.to raise_error(TypeError)
    end
  end

  describe ".secure_compare" do
    it "compares bytes" do
      expect(described_class.secure_compare("abc", "abc")).to be(true)
      expect(described_class.secure_compare("", "")).to be(true)
      expect(described_class.secure_compare("abc", "abd")).to be(false)
      expect(described_class.secure_compare("abc", "abcd")).to be(false)
      expect(described_class.secure_compare("\x00\xff".b, "\x00\xff".b)).to be(true)
    end

    it "says false for nil and raises TypeError for other non-Strings" do
      expect(described_class.secure_compare(nil, "a")).to be(false)
      expect(described_class.secure_compare("a", nil)).to be(false)
      expect { described_class.secure_compare(1, "a") }.to raise_error(TypeError)
    end
  end
end
