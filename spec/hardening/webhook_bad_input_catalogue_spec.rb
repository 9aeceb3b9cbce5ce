# frozen_string_literal: true

require_relative "../inbound/inbound_helper"

# Hostile or broken input against the real endpoint (POST /webhooks/whatsapp_web/:phone_number),
# one example per row. Every row checks: the status, a clear log line, the queues (nothing
# queued unless accepted), and for accepted bodies that the job runs through Sidekiq without
# raising and that delivering the same body again creates nothing more.

# The rows, and the bodies they are built from.
module WebhookCatalogue # rubocop:disable Metrics/ModuleLength -- a table
  FROM = "628123456789@s.whatsapp.net"
  GROUP = "120363000000000001@g.us"
  DEEP = 10_000

  module_function

  # A v8 message whose payload is a normal text message with `overrides` merged in.
  def msg(**overrides)
    payload = { "id" => "3EBCAT", "chat_id" => FROM, "from" => FROM, "from_name" => "Cat", "body" => "hi",
                "is_from_me" => false, "timestamp" => "2026-08-01T10:00:00Z" }
    InboundBodies.v8("message", payload.merge(overrides.transform_keys(&:to_s)))
  end

  def event(name, payload) = InboundBodies.v8(name, payload)

  def ack(**overrides)
    event("message.ack", { "ids" => ["3EBCAT"], "chat_id" => FROM, "from" => FROM, "receipt_type" => "read" }
                           .merge(overrides.transform_keys(&:to_s)))
  end

  def group(**overrides)
    event("group.participants", { "chat_id" => GROUP, "type" => "join", "jids" => [FROM] }
                                  .merge(overrides.transform_keys(&:to_s)))
  end

  def reaction(**overrides)
    event("message.reaction", { "id" => "R1", "chat_id" => FROM, "from" => FROM, "reaction" => "x",
                                "reacted_message_id" => "3EBCAT" }.merge(overrides.transform_keys(&:to_s)))
  end

  TEXT = msg
  # Delivered before a row whose event needs something to act on (a message, a group conversation).
  SEED_MESSAGE = { seed: msg(id: "3EBCAT", body: "seed") }.freeze
  SEED_GROUP = { seed: msg(id: "3EBGRP", chat_id: GROUP, body: "seed") }.freeze
  REJECT_SIG = /webhook rejected: invalid X-Hub-Signature-256/
  R400 = /webhook rejected \(400\)/
  QUEUED = /Enqueued Webhooks::WhatsappWebEventsJob/

  # name, body, expected status, expected log line; options:
  #   header: the X-Hub-Signature-256 to send (nil: none), or a lambda given the right one;
  #   signed_body:, secret: sign other bytes or with another secret; phone: the URL's phone;
  #   seed: a body delivered first; content: message 3EBCAT's content afterwards.
  CASES = [
    # --- transport: signature, phone, size -------------------------------------------------
    ["missing signature", TEXT, 401, /webhook rejected: missing X-Hub-Signature-256/, { header: nil }],
    ["signature of another body", TEXT, 401, REJECT_SIG, { signed_body: msg(body: "other") }],
    ["signature made with another secret", TEXT, 401, REJECT_SIG, { secret: "secret" }],
    ["empty signature header", TEXT, 401, REJECT_SIG, { header: "" }],
    ["wrong prefix (sha1=)", TEXT, 401, REJECT_SIG, { header: ->(good) { good.sub("sha256=", "sha1=") } }],
    ["no prefix, bare hex", TEXT, 401, REJECT_SIG, { header: ->(good) { good.delete_prefix("sha256=") } }],
    ["uppercase prefix (SHA256=)", TEXT, 401, REJECT_SIG, { header: ->(good) { good.sub("sha256", "SHA256") } }],
    ["hex one digit short", TEXT, 401, REJECT_SIG, { header: ->(good) { good[0..-2] } }],
    ["hex with a trailing space", TEXT, 401, REJECT_SIG, { header: ->(good) { "#{good} " } }],
    ["non-hex digits", TEXT, 401, REJECT_SIG, { header: "sha256=#{'z' * 64}" }],
    # The gem's Signature parses hex case-insensitively (same digest bytes): accepted.
    ["uppercase hex digest", TEXT, 200, QUEUED, { header: ->(good) { "sha256=#{good[7..].upcase}" } }],
    ["unknown phone number", TEXT, 404, /rejected \(404\): no WhatsApp Web channel for phone "\+15550009999"/,
     { phone: "+15550009999" }],
    ["a 300-digit phone in the URL", TEXT, 404, /rejected \(404\): no WhatsApp Web channel/, { phone: "9" * 300 }],
    ["a 20 MB body", msg(body: "a" * (20 * 1024 * 1024)), 413, /rejected \(413\): body of \d+ bytes/, {}],

    # --- bodies that are not a JSON object the gem reads (signed correctly) ----------------
    ["empty body", "", 400, R400, {}],
    ["truncated JSON", TEXT[0, TEXT.bytesize / 2], 400, R400, {}],
    ["top level []", "[]", 400, R400, {}],
    ["top level \"x\"", "\"x\"", 400, R400, {}],
    ["top level 1", "1", 400, R400, {}],
    ["top level null", "null", 400, R400, {}],
    ["10,000-deep nesting at the top", "#{'{"a":' * DEEP}1#{'}' * DEEP}", 400, R400, {}],
    ["10,000-deep nesting in payload.body", msg(body: "MARK").sub("\"MARK\"", ("[" * DEEP) + ("]" * DEEP)), 400, R400,
     {}],
    ["invalid UTF-8 in a string", msg(body: "MARK").sub("MARK", "\xFF\xFE").b, 400,
     /rejected \(400\): body is not valid UTF-8/, {}],
    ["overlong UTF-8 encoding", msg(body: "MARK").sub("MARK", "\xC0\xAF").b, 400,
     /rejected \(400\): body is not valid UTF-8/, {}],
    ["raw NUL byte inside a string", msg(body: "MARK").sub("MARK", "a\0b"), 400, R400, {}],
    ["NUL byte after the object", "#{TEXT}\0", 400, R400, {}],
    ["two objects back to back", TEXT + TEXT, 400, R400, {}],
    ["a UTF-8 byte-order mark first", "\xEF\xBB\xBF#{TEXT}", 400, R400, {}],

    # --- valid JSON, wrong types or odd values for the fields the glue reads ---------------
    # PostgreSQL text refuses NUL: the parser drops it (the job used to raise on every retry).
    ["JSON-escaped NUL (\\u0000) in body", msg(body: "MARK").sub("MARK", "a\\u0000b"), 200, QUEUED, { content: "ab" }],
    # A lone surrogate escape used to decode to invalid UTF-8, which PostgreSQL refuses: now U+FFFD.
    ["a lone surrogate escape (\\udc00) in body", msg(body: "MARK").sub("MARK", "a\\udc00b"), 200, QUEUED,
     { content: "a\uFFFDb" }],
    ["huge float 1e400 as timestamp", msg.sub("\"2026-08-01T10:00:00Z\"", "1e400"), 200, QUEUED, {}],
    ["huge integer as id", msg.sub("\"3EBCAT\"", "99999999999999999999999"), 200, QUEUED, {}],
    ["id as an object", msg(id: { "x" => 1 }), 200, QUEUED, {}],
    ["timestamp as an object", msg(timestamp: { "seconds" => 1 }), 200, QUEUED, {}],
    ["chat_id as a number", msg(chat_id: 628_123_456_789), 200, QUEUED, {}],
    ["from as a number, chat_id missing", msg(from: 628_123_456_789, chat_id: nil), 200, QUEUED, {}],
    ["body as an array", msg(body: %w[a b]), 200, QUEUED, {}],
    ["body as an object", msg(body: { "text" => "hi" }), 200, QUEUED, {}],
    ["image as a number", msg(image: 5), 200, QUEUED, {}],
    ["image path as a number", msg(image: { "path" => 5, "caption" => ["x"] }), 200, QUEUED, {}],
    ["is_from_me as a string", msg(is_from_me: "true"), 200, QUEUED, {}],
    ["from_name as an array", msg(from_name: ["a"]), 200, QUEUED, {}],
    ["replied_to_id as a number", msg(replied_to_id: 12, quoted_body: {}), 200, QUEUED, {}],
    ["location as a string", msg(body: nil, location: "here"), 200, QUEUED, {}],
    ["location with string degrees", msg(body: nil, location: { "degreesLatitude" => "x", "degreesLongitude" => [] }),
     200, QUEUED, {}],
    ["contact as a number", msg(body: nil, contact: 7), 200, QUEUED, {}],
    ["reaction as an object", reaction(reaction: { "x" => 1 }), 200, QUEUED, SEED_MESSAGE],
    ["reacted_message_id as a number", reaction(reacted_message_id: 5), 200, QUEUED, SEED_MESSAGE],
    ["reacted_message_id as an array", reaction(reacted_message_id: ["3EBCAT"]), 200, QUEUED, SEED_MESSAGE],
    ["ids as a string", ack(ids: "3EBCAT"), 200, QUEUED, SEED_MESSAGE],
    ["ids holding numbers and null", ack(ids: [1, nil, {}, "3EBCAT"]), 200, QUEUED, SEED_MESSAGE],
    ["receipt_type as an array", ack(receipt_type: ["read"]), 200, QUEUED, SEED_MESSAGE],
    ["edit with body as an object", event("message.edited", { "id" => "E1", "chat_id" => FROM, "from" => FROM,
                                                              "original_message_id" => "3EBCAT", "body" => {} }),
     200, QUEUED, SEED_MESSAGE],
    ["revoke with revoked_message_id as a number",
     event("message.revoked", { "id" => "V1", "chat_id" => FROM, "from" => FROM, "revoked_message_id" => 9 }),
     200, QUEUED, SEED_MESSAGE],
    ["jids as a string", group(jids: FROM), 200, QUEUED, SEED_GROUP],
    ["jids holding numbers and objects", group(jids: [5, {}, nil, FROM]), 200, QUEUED, SEED_GROUP],
    ["group type as a number", group(type: 3), 200, QUEUED, SEED_GROUP],
    ["group chat_id as a number", group(chat_id: 120_363), 200, QUEUED, SEED_GROUP],
    ["payload as an array", InboundBodies.v8("message", []), 200, QUEUED, {}],
    ["payload as a string", InboundBodies.v8("message", "hi"), 200, QUEUED, {}],
    ["event as a number",
     JSON.generate({ "event" => 5, "payload" => { "id" => "E5", "from" => FROM, "body" => "x" } }), 200, QUEUED, {}],
    ["device_id as a number", JSON.generate(JSON.parse(TEXT).merge("device_id" => 62)), 200, QUEUED, {}],
    ["v7 message as a string",
     JSON.generate({ "sender_id" => { "a" => 1 }, "chat_id" => [], "from" => FROM, "message" => "hi" }),
     200, QUEUED, {}],
    ["v7 reaction as a string", JSON.generate({ "from" => FROM, "message" => { "id" => "V7R" }, "reaction" => "x" }),
     200, QUEUED, {}],
    ["a JID with 300 digits as sender",
     msg(from: "#{'9' * 300}@s.whatsapp.net", chat_id: "#{'9' * 300}@s.whatsapp.net"), 200, QUEUED, {}],
    ["a group JID with 300 digits", msg(id: "G300", chat_id: "#{'1' * 300}@g.us"), 200, QUEUED, {}],
    ["duplicate keys", TEXT.sub("{", "{\"event\":\"message.ack\","), 200, QUEUED, {}],
    ["an unknown event (ignored, not queued)", event("label.edit", { "id" => 1 }), 200,
     /webhook ignored: unknown event/, {}]
  ].freeze
end

RSpec.describe "Webhook bad-input catalogue", :inbound do
  let(:inbox) { create_web_inbox }

  def signature_header(body, options)
    good = WawebNative::Signature.sign(options.fetch(:secret) { secret_of(inbox) }, options.fetch(:signed_body, body))
    header = options.fetch(:header, good)
    header.respond_to?(:call) ? header.call(good) : header
  end

  # POSTs the row's request; returns [response, log text].
  def send_row(body, options)
    header = signature_header(body, options)
    headers = header.nil? ? {} : { "X-Hub-Signature-256" => header }
    phone = options.fetch(:phone, inbox.channel.phone_number)
    response = nil
    lines = LogCapture.during { response = post_webhook(phone, body, secret: nil, headers: headers) }
    [response, lines]
  end

  def failed_jobs = Sidekiq::RetrySet.new.size + Sidekiq::DeadSet.new.size

  def records_by_kind
    record_counts.merge(ledger: WawebNative::Inbound::ProcessedEvent.count,
                        activities: Message.activity.count)
  end

  WebhookCatalogue::CASES.each do |name, body, status, log, options|
    it "#{name}: #{status}" do
      deliver(inbox, options[:seed]) if options[:seed]
      response, lines = send_row(body, options)
      expect(response.status).to eq(status), "#{name}: got #{response.status}"
      expect(lines).to match(log)
      expect(lines).not_to include(secret_of(inbox))
      queued = sidekiq_queue_sizes
      if status == 200 && log == WebhookCatalogue::QUEUED
        expect(queued).to include("default" => 1)
        expect(queued.values.sum).to eq(1)
        expect { drain_sidekiq }.not_to raise_error
        expect(failed_jobs).to eq(0)
        after_first = records_by_kind
        expect(Message.where(source_id: "3EBCAT").pick(:content)).to eq(options[:content]) if options[:content]

        # The gateway redelivers: the same signed bytes again create nothing more.
        expect(send_row(body, options).first.status).to eq(200)
        expect { drain_sidekiq }.not_to raise_error
        expect(records_by_kind).to eq(after_first)
        expect(Message.where.not(source_id: nil).group(:source_id).count.values).to all(eq(1))
      else
        expect(queued.values.sum).to eq(0)
      end
      expect(response.body).to eq("")
    end
  end

  it "has at least 40 rows" do
    expect(WebhookCatalogue::CASES.size).to be >= 40
  end

  it "a replayed text event (same signed body twice) yields one message" do
    2.times { expect(send_row(WebhookCatalogue::TEXT, {}).first.status).to eq(200) }
    expect(events_queue_jobs.size).to eq(2)
    drain_sidekiq
    expect(Message.where(source_id: "3EBCAT").count).to eq(1)
    expect(record_counts).to include(contacts: 1, conversations: 1, messages: 1)
  end
end
