# frozen_string_literal: true

require "spec_helper"

RSpec.describe WawebNative::Payload do # rubocop:disable RSpec/SpecFilePathFormat
  def classify(body)
    described_class.classify(body)
  end

  def envelope(payload, event: "message", **root)
    JSON.generate({ device_id: "6289600000001@s.whatsapp.net", event: event, payload: payload }.merge(root))
  end

  def message(**fields)
    envelope({ id: "3EB0A1", chat_id: "628123456789@s.whatsapp.net", from: "628123456789@s.whatsapp.net",
               timestamp: "2026-08-01T10:00:00Z" }.merge(fields))
  end

  def parse_error(body)
    classify(body)
  rescue WawebNative::ParseError => e
    e
  else
    raise "expected #{body.inspect[0, 80]} to be refused"
  end

  # A v7 body with a raw (already JSON-escaped) pushname and text, as bytes.
  def pushname_body(name, text: "t")
    head = '{"chat_id":"1@g.us","from":"6281234567@s.whatsapp.net"'
    %(#{head},"pushname":"#{name}","message":{"id":"X","text":"#{text}"}}).b
  end

  def fixture(name)
    File.binread(File.join(FIXTURES, name))
  end

  def nested(levels, open, close)
    "{\"a\":#{open * (levels - 1)}1#{close * (levels - 1)}}"
  end

  describe "refused bodies" do
    it "raises ParseError, a WawebNative::Error, with the byte offset in message and #offset" do
      error = parse_error('{"a":1,}')
      expect(error).to be_a(WawebNative::Error)
      expect(error.offset).to eq(8)
      expect(error.message).to include("at byte 8")
    end

    it "reports a missing colon where the parser stopped" do
      expect(parse_error('{"a" 1}').offset).to eq(6)
    end

    it "reports a truncated body at its end" do
      body = fixture("v8/image_caption.json")[0, 100]
      error = parse_error(body)
      expect(error.offset).to eq(100)
      expect(error.message).to include("premature EOF")
    end

    it "refuses non-object top levels at the value's first byte" do
      expect(parse_error("[]").offset).to eq(0)
      expect(parse_error('"x"').offset).to eq(0)
      expect(parse_error("1").offset).to eq(0)
      expect(parse_error("null").offset).to eq(0)
      error = parse_error("  \n[]")
      expect(error.offset).to eq(3)
      expect(error.message).to include("not a JSON object")
    end

    it "refuses an empty or blank body" do
      expect(parse_error("").offset).to eq(0)
      expect(parse_error(" \n ").offset).to eq(3)
    end

    it "refuses trailing garbage, a second document and comments" do
      expect(parse_error("{} x").offset).to eq(4)
      expect(parse_error("{}{}").message).to include("trailing garbage")
      expect(parse_error('{"a":1 /* c */}')).to be_a(WawebNative::ParseError)
    end

    it "accepts 64 levels of nesting and refuses 65 at the opening bracket" do
      expect(classify(nested(64, '{"a":', "}")).kind).to eq(:unsupported)
      expect(parse_error(nested(65, '{"a":', "}")).offset).to eq(5 * 64)
      expect(classify(nested(64, "[", "]")).kind).to eq(:unsupported)
      error = parse_error(nested(65, "[", "]"))
      expect(error.offset).to eq(5 + 63)
      expect(error.message).to include("deeper than 64")
    end

    it "refuses invalid UTF-8 inside a string at the bad byte" do
      body = message(body: "ok").sub("ok", "o\xFFk".b)
      error = parse_error(body)
      expect(error.message).to include("invalid UTF-8")
      expect(error.offset).to eq(body.index("\xFF".b))
    end

    # yajl alone checks only the lead/continuation bits; these are well-formed in that
    # sense but not UTF-8 (RFC 3629), and used to come back as invalid Ruby strings.
    {
      "an overlong 2-byte form feed" => "\xC0\x8C", "an overlong 2-byte C1" => "\xC1\xBF",
      "an overlong 3-byte" => "\xE0\x80\xAF", "an overlong 4-byte" => "\xF0\x8F\xBF\xBF",
      "an encoded high surrogate" => "\xED\xA0\x80", "an encoded low surrogate" => "\xED\xBF\xBF",
      "a code point past U+10FFFF" => "\xF4\x90\x80\x80", "an F5 lead byte" => "\xF5\x80\x80\x80",
      "a truncated 3-byte sequence" => "\xE2\x82", "a stray continuation byte" => "\x80"
    }.each do |what, bytes|
      it "refuses #{what} in a pushname, at its first byte" do
        body = pushname_body("a#{bytes}b")
        error = parse_error(body)
        expect(error.message).to include("invalid UTF-8")
        expect(error.offset).to eq(body.index("a#{bytes}b".b) + 1)
      end
    end

    it "refuses a truncated sequence at the very end of the body" do
      body = "#{message(body: 'x')}\xE2\x82".b
      expect(parse_error(body).offset).to eq(body.bytesize - 2)
    end

    it "reports a JSON error before a later invalid byte, and the byte before a later JSON error" do
      expect(parse_error(%({"a" 1, "b":"\xC0\x8C"}).b).offset).to eq(6)
      expect(parse_error(%({"b":"\xC0\x8C", "a" 1}).b).offset).to eq(6)
    end

    it "refuses invalid UTF-8 outside strings" do
      expect(parse_error("{\xC3\xA9:1}".b)).to be_a(WawebNative::ParseError)
    end

    # PostgreSQL text and jsonb refuse NUL: a string keeping one made the job raise on every retry.
    it "refuses a raw NUL byte inside a string and drops an escaped one" do
      expect(parse_error(message(body: "aXb").sub("aXb", "a\0b"))).to be_a(WawebNative::ParseError)
      expect(classify(message(body: "a\u0000b")).text).to eq("ab")
      expect(classify(message(id: "\u0000", body: "\u0000")).text).to eq("")
    end

    it "refuses input that is not a String" do
      expect { classify(nil) }.to raise_error(TypeError)
    end
  end

  describe ".max_bytes" do
    around do |example|
      saved = described_class.max_bytes
      example.run
    ensure
      described_class.max_bytes = saved
    end

    it "defaults to 4 MiB" do
      expect(described_class.max_bytes).to eq(4 * 1024 * 1024)
      expect(described_class::DEFAULT_MAX_BYTES).to eq(4 * 1024 * 1024)
    end

    it "accepts a body of exactly max_bytes and refuses one byte more, at the cap's offset" do
      body = message(body: "hello")
      described_class.max_bytes = body.bytesize
      expect(classify(body).text).to eq("hello")
      described_class.max_bytes = body.bytesize - 1
      error = parse_error(body)
      expect(error.offset).to eq(body.bytesize - 1)
      expect(error.message).to include("max_bytes")
    end

    it "refuses a body over the default cap before parsing it" do
      body = message(body: "x" * (4 * 1024 * 1024))
      expect(parse_error(body).offset).to eq(4 * 1024 * 1024)
    end

    it "rejects a cap that is not a positive Integer" do
      expect { described_class.max_bytes = 0 }.to raise_error(ArgumentError)
      expect { described_class.max_bytes = -1 }.to raise_error(ArgumentError)
      expect { described_class.max_bytes = "10" }.to raise_error(ArgumentError)
      expect(described_class.max_bytes).to eq(4 * 1024 * 1024)
    end
  end

  describe "strings" do
    it "decodes the gateway's \\u003c escapes" do
      expect(classify(fixture("v8/text_html_escaped.json")).text).to eq("<b>bold</b> & <i>more</i>")
    end

    it "decodes surrogate pairs and BMP escapes" do
      event = classify(message(body: "x").sub('"x"', '"\\ud83d\\ude00 \\u00e9\\u4e2d"'))
      expect(event.text).to eq("😀 é中")
      expect(event.text.encoding).to eq(Encoding::UTF_8)
    end

    it "turns a lone surrogate into valid UTF-8 instead of failing" do
      text = classify(message(body: "x").sub('"x"', '"a\\ud800b"')).text
      expect(text).to be_valid_encoding
      expect(text).to start_with("a").and end_with("b")
    end

    # JSON allows "\udc00" by itself; it names no character, so like the lone high one
    # above it is replaced rather than refused: U+FFFD, valid UTF-8.
    it "replaces a lone escaped low surrogate with U+FFFD" do
      event = classify(pushname_body("a\\udc00b\\udfff", text: "\\udc00"))
      expect(event.push_name).to eq("a\uFFFDb\uFFFD")
      expect(event.push_name).to be_valid_encoding
      expect(event.text).to eq("\uFFFD")
    end

    it "replaces a lone low surrogate in string lists too, and keeps raw text around it" do
      body = envelope({ ids: %w[A B], receipt_type: "read" }, event: "message.ack").sub('"B"', '"\\udc00é"')
      ids = classify(body).ids
      expect(ids).to eq(["A", "\uFFFDé"])
      expect(ids).to all(be_valid_encoding)
    end

    it "accepts the edges of each sequence length, raw" do
      edges = ["\u0080", "\u07FF", "\u0800", "\uD7FF", "\uE000", "\uFFFD", "\uFFFF",
               "\u{10000}", "\u{10FFFF}", "é", "中", "😀", "👍🏽", "🇮🇩"]
      edges.each do |c|
        text = classify(message(body: "a#{c}b")).text
        expect(text).to eq("a#{c}b")
        expect(text).to be_valid_encoding
      end
    end

    it "decodes escaped surrogate pairs at both ends of the astral range" do
      event = classify(message(body: "x").sub('"x"', '"\\ud800\\udc00\\udbff\\udfff\\uD83D\\uDE00"'))
      expect(event.text).to eq("\u{10000}\u{10FFFF}😀")
      expect(event.text).to be_valid_encoding
    end

    it "passes long ASCII runs with multibyte characters at every alignment" do
      (0..9).each do |pad|
        body = "#{'a' * pad}é#{'b' * 17}😀#{'c' * pad}"
        expect(classify(message(body: body)).text).to eq(body)
      end
    end

    it "keeps raw UTF-8 as sent" do
      expect(classify(message(body: "olá, 你好 👋")).text).to eq("olá, 你好 👋")
    end

    it "returns frozen strings, the same object on every read" do
      event = classify(message(body: "hi"))
      expect(event.text).to be_frozen
      expect(event.text).to equal(event.text)
      expect(event.chat).to be_frozen
    end
  end

  describe "robustness" do
    # Regression: with no "from", the v7 " in " split formed buf + SIZE_MAX before checking
    # presence (pointer overflow; caught by spec:asan's UBSan and the fuzzer).
    it "classifies an empty object, with every field absent" do
      event = classify("{}")
      expect(event.kind).to eq(:unsupported)
      expect([event.chat, event.sender, event.push_name, event.text, event.message_id]).to all(be_nil)
    end

    it "skips unknown fields, nested or not, before and after the known ones" do
      body = JSON.generate(
        aaa: { deep: [[{ x: [1, 2, { "id" => "no" }] }]], id: "not this" },
        device_id: "6289600000001@s.whatsapp.net", event: "message",
        payload: { zzz: [{ "body" => "no" }], body: "yes", extra: { body: "no", id: "no" }, id: "3EB0A1",
                   image_meta: { path: "no" }, chat_id: "628123456789@s.whatsapp.net", after: [nil, true, 1.5] }
      )
      event = classify(body)
      expect(event.kind).to eq(:text)
      expect(event.text).to eq("yes")
      expect(event.message_id).to eq("3EB0A1")
      expect(event.media_path).to be_nil
    end

    it "does not depend on key order" do
      body = '{"payload":{"timestamp":"2026-08-01T10:00:00Z","body":"hi","id":"X1"},' \
             '"event":"message","device_id":"6289600000001@s.whatsapp.net"}'
      event = classify(body)
      expect([event.format, event.kind, event.text, event.message_id]).to eq([:v8, :text, "hi", "X1"])
    end

    it "ignores fields of the wrong type" do
      event = classify(envelope({ ids: "3EB0E1", receipt_type: "read", chat_id: ["x"], from: 5,
                                  timestamp: { "t" => 1 } }, event: "message.ack"))
      expect(event.kind).to eq(:receipt)
      expect(event.receipt_type).to eq(:read)
      expect([event.ids, event.chat, event.sender, event.timestamp]).to eq([nil, nil, nil, nil])
    end

    it "ignores wrong types inside messages" do
      event = classify(message(body: 5, image: 7, is_from_me: "yes", location: "here", id: { "x" => 1 }))
      expect(event.kind).to eq(:unsupported)
      expect([event.text, event.media_path, event.from_me?, event.message_id]).to eq([nil, nil, nil, nil])
    end

    it "keeps only string ids and participants" do
      event = classify(envelope({ chat_id: "120363025246125486@g.us", type: "join",
                                  jids: [1, "628123456789:3@s.whatsapp.net", {}, nil, ["x"]] },
                                event: "group.participants"))
      expect(event.participants).to eq(["628123456789@s.whatsapp.net"])
      ack = classify(envelope({ ids: ["A", 2, "B"], receipt_type: "delivered" }, event: "message.ack"))
      expect(ack.ids).to eq(%w[A B])
    end

    it "survives huge and odd numbers" do
      body = message(body: "n").sub('"body"', '"big":123456789012345678901234567890123,"e":1e99999,"body"')
      expect(classify(body).text).to eq("n")
      loc = message(location: { degreesLatitude: 1, degreesLongitude: 2 })
            .sub('"degreesLatitude":1', '"degreesLatitude":1e400')
      event = classify(loc)
      expect(event.kind).to eq(:location)
      expect(event.latitude).to be_nil
      expect(event.longitude).to eq(2.0)
    end

    it "reads ids and participants as nil when absent and [] when empty" do
      expect(classify(message(body: "x")).ids).to be_nil
      expect(classify(message(body: "x")).participants).to be_nil
      event = classify(envelope({ ids: [], receipt_type: "read" }, event: "message.ack"))
      expect(event.ids).to eq([])
      expect(event.ids).to be_frozen
    end
  end

  describe "timestamps" do
    {
      "2026-08-01T10:00:00Z" => 1_785_578_400,
      "2026-08-01T10:00:00.987654321Z" => 1_785_578_400,
      "2026-08-01T17:00:00+07:00" => 1_785_578_400,
      "2026-08-01T07:00:00.5-03:00" => 1_785_578_400,
      "2026-08-01t10:00:00z" => 1_785_578_400,
      "2024-02-29T00:00:00Z" => 1_709_164_800,
      "1969-12-31T23:59:59Z" => -1,
      "2026-02-30T00:00:00Z" => nil,
      "2026-13-01T00:00:00Z" => nil,
      "2026-08-01T10:00:00" => nil,
      "2026-08-01T10:00:00+0700" => nil,
      "2026-08-01" => nil,
      "" => nil
    }.each do |text, unix|
      it "reads #{text.inspect} as #{unix.inspect}" do
        expect(classify(message(body: "x", timestamp: text)).timestamp).to eq(unix)
      end
    end

    it "agrees with Time.iso8601" do
      require "time"
      text = "2031-05-17T23:14:09.25+05:30"
      expect(classify(message(body: "x", timestamp: text)).timestamp).to eq(Time.iso8601(text).to_i)
    end

    it "accepts integer Unix seconds" do
      expect(classify(message(body: "x", timestamp: 1_785_578_400)).timestamp).to eq(1_785_578_400)
    end

    it "falls back to the envelope's timestamp for non-message events" do
      event = classify(fixture("v8/group_joined.json"))
      expect(event.timestamp).to eq(Time.utc(2026, 8, 1, 11, 1).to_i)
    end
  end

  describe "JIDs" do
    it "drops devices and agents and normalises c.us" do
      event = classify(message(body: "x", chat_id: "628123456789@C.US", from: "628123456789.1:12@s.whatsapp.net",
                               from_lid: "251500000001:3@lid"))
      expect([event.chat, event.sender, event.sender_lid])
        .to eq(%w[628123456789@s.whatsapp.net 628123456789@s.whatsapp.net 251500000001@lid])
    end

    it "keeps what is not a JID as sent instead of failing the event" do
      event = classify(message(body: "x", chat_id: "not a jid", from: "weird@example.com"))
      expect([event.chat, event.sender]).to eq(["not a jid", "weird@example.com"])
    end

    it "gives v7 bare numbers their server (more than 15 digits is a group)" do
      body = JSON.generate(chat_id: "120363025246125486", sender_id: "628123456789",
                           message: { id: "A", text: "hi" })
      event = classify(body)
      expect([event.format, event.chat, event.sender]).to eq([:v7, "120363025246125486@g.us",
                                                              "628123456789@s.whatsapp.net"])
    end

    it "splits v7's \"sender in chat\" form" do
      body = JSON.generate(from: "628123456789:12@s.whatsapp.net in 120363025246125486@g.us",
                           message: { id: "A", text: "hi" })
      event = classify(body)
      expect([event.sender, event.chat]).to eq(%w[628123456789@s.whatsapp.net 120363025246125486@g.us])
    end
  end

  describe "formats and kinds" do
    it "reads every v8 media shape" do
      shapes = {
        "statics/media/1.jpeg" => { media_path: "statics/media/1.jpeg" },
        { path: "statics/media/2.jpeg", caption: "c" } => { media_path: "statics/media/2.jpeg", caption: "c" },
        { media_path: "m.jpe", mime_type: "image/jpeg", caption: "" } => { media_path: "m.jpe",
                                                                           mime_type: "image/jpeg" },
        { url: "https://mmg.whatsapp.net/x.enc", caption: "c", filename: "f.jpg" } =>
          { media_url: "https://mmg.whatsapp.net/x.enc", filename: "f.jpg", media_path: nil }
      }
      shapes.each do |value, fields|
        event = classify(message(image: value))
        expect(event.kind).to eq(:image)
        fields.each { |name, want| expect(event.public_send(name)).to eq(want) }
      end
    end

    it "treats an empty media path as no media" do
      expect(classify(message(image: "")).kind).to eq(:unsupported)
      expect(classify(message(image: nil, body: "hi")).kind).to eq(:text)
    end

    it "prefers media over the caption copied into body" do
      event = classify(message(body: "cap", video: { path: "v.mp4", caption: "cap" }))
      expect([event.kind, event.text, event.caption]).to eq([:video, "cap", "cap"])
    end

    it "reads contacts_array through its first card" do
      event = classify(message(contacts_array: [{ displayName: "Ann", phone_number: "+1" },
                                                { displayName: "Bob" }]))
      expect([event.kind, event.contact_name, event.contact_phone]).to eq([:contact, "Ann", "+1"])
    end

    it "maps event names to kinds" do
      {
        "history_sync_complete" => :history_sync, "call.offer_notice" => :call, "newsletter.join" => :newsletter,
        "label.edit" => :unknown, "messages" => :unknown
      }.each do |name, kind|
        expect(classify(envelope({}, event: name)).kind).to eq(kind)
      end
    end

    it "treats an envelope without device_id as v7 and a body without event as a v7 message" do
      expect(classify(fixture("v7/ack_read.json")).format).to eq(:v7)
      event = classify(JSON.generate(message: { id: "A", text: "" }, chat_id: "628123456789"))
      expect([event.format, event.kind, event.event_name]).to eq([:v7, :unsupported, nil])
    end

    it "reads v7 reply ids and treats an empty one as absent" do
      expect(classify(fixture("v7/text_reply.json")).reply_to_id).to eq("3EB0C127D7BACC83D6A1")
      expect(classify(fixture("v7/text.json")).reply_to_id).to be_nil
    end
  end

  describe WawebNative::Event do
    subject(:event) { WawebNative::Payload.classify(fixture("v8/location.json")) }

    it "is frozen and cannot be built directly" do
      expect(event).to be_frozen
      expect { described_class.new }.to raise_error(NoMethodError)
    end

    it "converts to a Hash of the fields that were sent" do
      hash = event.to_h
      expect(hash).to include(format: :v8, kind: :location, latitude: -23.55052, longitude: -46.633308,
                              location_name: "Praca da Se", from_me: false, timestamp: 1_785_578_400)
      expect(hash).not_to have_key(:text)
      expect(hash.keys - described_class::FIELDS).to eq([])
    end

    it "inspects with format, kind and the sent fields" do
      expect(event.inspect).to start_with("#<WawebNative::Event v8 location")
      expect(event.inspect).to include('message_id="3EB0C2"')
    end
  end

  describe "the envelope's session_id (the device's slot id, v8.8+)" do
    it "is read from the envelope only: not from the payload, not from a v7 body" do
      expect(classify(message(body: "hi").sub('"event"', '"session_id":"org_2","event"')).session_id).to eq("org_2")
      expect(classify(message(body: "hi")).session_id).to be_nil
      expect(classify(message(body: "hi", session_id: "inner")).session_id).to be_nil
      expect(classify('{"session_id":"x","chat_id":"1","message":{"id":"A","text":"t"}}').session_id).to be_nil
      expect(classify(message(body: "hi").sub('"event"', '"session_id":"org_2","event"')).to_h)
        .to include(session_id: "org_2", device_id: "6289600000001@s.whatsapp.net")
    end
  end

  describe "memory safety" do
    it "classifies and reads every field under GC.stress" do
      bodies = %w[v8/image_caption.json v8/ack_read_many.json v7/group_text.json v8/group_participants_join.json]
               .map { |f| fixture(f) }
      hashes = []
      GC.stress = true
      begin
        bodies.each { |b| hashes << classify(b).to_h }
        3.times { parse_error(bodies[0][0, 50]) }
      ensure
        GC.stress = false
      end
      expect(hashes.map { |h| h[:kind] }).to eq(%i[image receipt text group_participants])
      expect(hashes[1][:ids]).to eq(%w[3EB0E1 3EB0E2 3EB0E3])
      expect(hashes[3][:participants]).to eq(%w[628123456789@s.whatsapp.net 628111111111@s.whatsapp.net])
    end

    it "keeps cached strings valid across compaction" do
      events = Array.new(20) { |i| classify(message(body: "text #{i}", image: "p#{i}.jpg")) }
      events.each { |e| [e.text, e.media_path, e.chat] }
      Compaction.verify!
      expect(events.map(&:text)).to eq(Array.new(20) { |i| "text #{i}" })
      expect(events.map(&:media_path).last).to eq("p19.jpg")
    end
  end
end
