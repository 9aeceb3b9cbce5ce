# frozen_string_literal: true

require "spec_helper"
require "tmpdir"
require "fileutils"
require "English"

# Every C entry point, first run plainly to get the expected answers, then again under
# GC.stress (a GC at every allocation: a VALUE the C code holds without marking or
# RB_GC_GUARD is collected under it), and with objects made before a compaction read after
# it (any VALUE kept in C memory without rb_gc_mark_movable/dcompact dangles).
RSpec.describe "C entry points under GC.stress and compaction" do
  let(:fixture_files) do
    %w[v8/text.json v8/image_caption.json v8/group_participants_join.json v8/ack_read_many.json
       v7/text.json].map { |f| File.join(FIXTURES, f) }.select { |f| File.exist?(f) }
  end
  let(:jid_inputs) do
    ["5511987654321.1:12@s.whatsapp.net", "+55 (11) 98765-4321", "120363025246125486@g.us",
     "123456789012345:3@lid", "status@broadcast", "120363123456789012@newsletter", "5511987654321@c.us"]
  end
  let(:dir) { Dir.mktmpdir("waweb_gc") }

  after { FileUtils.rm_rf(dir) }

  # Minor GCs at every allocation (flag 0x01: no major GC): a young object the C code
  # holds unmarked is still freed at once, and the run takes seconds rather than minutes.
  def stressed
    GC.stress = 0x01
    yield
  ensure
    GC.stress = false
  end

  def compact!
    Compaction.verify!
  end

  def jid_facts(jid)
    [jid.to_s, jid.user, jid.server, jid.device, jid.agent, jid.kind, jid.phone, jid.source_id,
     jid.group?, jid.lid?, jid.phone_variants, jid.hash, jid.inspect, jid.frozen?]
  end

  def jid_round(inputs)
    inputs.map do |s|
      jid = WawebNative::JID.parse(s)
      [jid_facts(jid), WawebNative::JID.sanitize(s), WawebNative::JID.phone_variants(s),
       jid == WawebNative::JID.parse(jid.to_s)]
    end
  end

  def invalid_jid_message(input)
    WawebNative::JID.parse(input)
    nil
  rescue WawebNative::InvalidJID => e
    e.message
  end

  def signature_round
    secret = "s3cr3t-#{'x' * 40}"
    bodies = ["", "{\"event\":\"message\"}", (0..255).map(&:chr).join.b * 4]
    bodies.map do |body|
      sig = WawebNative::Signature.sign(secret, body)
      [sig, sig.encoding, WawebNative::Signature.verify?(secret, body, sig),
       WawebNative::Signature.verify?(secret, body, sig.upcase.sub("SHA256=", "sha256=")),
       WawebNative::Signature.verify?(secret, "#{body}x", sig), WawebNative::Signature.verify?(secret, body, nil),
       WawebNative::Signature.verify?(secret, body, "sha256=zz"), WawebNative::Signature.secure_compare(sig, sig.dup),
       WawebNative::Signature.secure_compare(sig, sig.tr("0", "1"))]
    end
  end

  def parse_error(body)
    WawebNative::Payload.classify(body)
    nil
  rescue WawebNative::ParseError => e
    [e.class, e.message]
  end

  def payload_round(bodies)
    events = bodies.map { |b| WawebNative::Payload.classify(b) }
    facts = events.map { |e| [e.to_h, e.frozen?] }
    facts + [parse_error("{\"a\":"), parse_error("[1]"), parse_error("#{'[' * 100}#{']' * 100}")]
  end

  def build_multipart(file)
    m = WawebNative::Multipart.new(boundary: "gc-stress-boundary")
    m.add_field("phone", "5511987654321")
    m.add_field("na\"me\r\n", "caption ✓")
    m.add_file("image", file, filename: "a \"b\".jpg", content_type: "image/jpeg")
    m
  end

  def multipart_round(file)
    m = build_multipart(file)
    whole = String.new(encoding: Encoding::BINARY)
    m.each_chunk { |chunk| whole << chunk }
    m.rewind
    pieces = String.new(encoding: Encoding::BINARY)
    while (piece = m.read(61))
      pieces << piece
    end
    [m.content_type, m.content_length, whole, pieces == whole, m.eof?]
  ensure
    m&.close
  end

  it "answers JID parsing, sanitizing and variants the same under GC.stress" do
    expected = jid_round(jid_inputs)
    bad = invalid_jid_message("0811234567")
    expect(bad).to include("0811234567")
    stressed do
      expect(jid_round(jid_inputs)).to eq(expected)
      expect(invalid_jid_message("0811234567")).to eq(bad)
    end
  end

  it "keeps JID objects intact across compaction" do
    expected = jid_inputs.map { |s| jid_facts(WawebNative::JID.parse(s)) }
    jids = jid_inputs.map { |s| WawebNative::JID.parse(s) }
    compact_heap!
    expect(jids.map { |j| jid_facts(j) }).to eq(expected)
    expect(jid_round(jid_inputs).map(&:first)).to eq(expected)
  end

  it "signs, verifies and compares the same under GC.stress and after compaction" do
    expected = signature_round
    expect(expected.map { |r| r[2] }).to all(be(true))
    stressed { expect(signature_round).to eq(expected) }
    compact_heap!
    expect(signature_round).to eq(expected)
  end

  it "classifies webhooks the same under GC.stress, and events made before a compaction read the same after" do
    bodies = fixture_files.map { |f| File.binread(f) }
    expect(bodies.size).to be >= 4
    expected = payload_round(bodies)
    stressed { expect(payload_round(bodies)).to eq(expected) }
    events = bodies.map { |b| WawebNative::Payload.classify(b) } # readers not called yet: nothing cached
    compact_heap!
    expect(events.map { |e| [e.to_h, e.frozen?] }).to eq(expected.first(bodies.size))
  end

  it "builds and reads a multipart body the same under GC.stress and across compaction" do
    file = File.join(dir, "photo.jpg")
    File.binwrite(file, Random.new(7).bytes(20_000))
    expected = multipart_round(file)
    expect(expected[2]).to include(File.binread(file))
    stressed { expect(multipart_round(file)).to eq(expected) }
    half_read = build_multipart(file)
    head = half_read.read(100)
    compact_heap!
    rest = half_read.read
    half_read.close
    expect(head + rest).to eq(expected[2])
  end

  it "constructs a gateway client and makes a request under GC.stress and across compaction" do
    gateway = FakeGateway.start
    make = lambda do
      WawebNative::Gateway::Client.new(base_url: gateway.url, username: gateway.username, password: gateway.password)
    end
    expected = make.call.get("/app/status").json
    # A child process, so GC.stress does not also slow the fake server's threads here.
    reader, writer = IO.pipe
    pid = Process.fork do
      reader.close
      result = begin
        client = stressed { make.call }
        first = stressed { client.get("/app/status").json == expected }
        compacted = compact!
        second = client.get("/app/status").json == expected
        third = stressed { client.post_json("/send/message", phone: "628123456", message: "gc").status }
        "#{first},#{compacted},#{second},#{third}"
      rescue Exception => e # rubocop:disable Lint/RescueException -- report anything to the parent
        "#{e.class}: #{e.message}"
      end
      writer.write(result)
      writer.close
      exit!(0)
    end
    writer.close
    result = reader.read
    Process.wait(pid)
    expect($CHILD_STATUS).to be_success
    expect(result).to eq("true,true,true,200")
  ensure
    reader&.close
    gateway&.stop
  end

  # Compaction is supported on every platform this gem builds for (Linux, macOS).
  def compact_heap!
    expect(compact!).to be(true)
  end
end
