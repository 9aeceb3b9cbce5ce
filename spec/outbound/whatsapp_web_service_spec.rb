# frozen_string_literal: true

require "rails_helper"
require "stringio"
require "tmpdir"
# Whatsapp::Providers::WhatsappWebService is autoloaded by the engine (lib/waweb_native/app/services).

# The path is the one the outbound issue names (spec/outbound/), not the class's.
RSpec.describe Whatsapp::Providers::WhatsappWebService do # rubocop:disable RSpec/SpecFilePathFormat
  let(:gateway) { FakeGateway.start }
  let(:config) do
    { "api_base_url" => gateway.url, "basic_auth_username" => gateway.username,
      "basic_auth_password" => gateway.password, "webhook_verify_token" => "hook-secret" }
  end
  let(:channel) { create_channel(config) }
  let(:service) { described_class.new(whatsapp_channel: channel) }
  let(:conversation) { create_conversation(inbox: channel.inbox) }
  let(:to) { conversation.contact_inbox.source_id }
  let(:to_jid) { "#{to}@s.whatsapp.net" }

  after { gateway.stop }

  # Through the host's own validations, which the engine extends: the save asks the gateway.
  def create_channel(provider_config)
    account = create_account
    channel = Channel::Whatsapp.create!(account: account, provider: "whatsapp_web", provider_config: provider_config,
                                        phone_number: "+5511#{format('%09d', rand(1_000_000_000))}")
    Inbox.create!(account: account, channel: channel, name: "WhatsApp Web")
    gateway.clear_requests # examples count only their own requests
    channel
  end

  def outgoing(content = "Hello from the agent", **attrs)
    create_message(conversation: conversation, message_type: :outgoing, content: content, **attrs)
  end

  # opts: bytes: or path: (the content), file_type: (default :file), meta: (default {}).
  def attach(message, filename:, content_type:, **opts)
    attachment = message.attachments.new(id: opts[:id], account: message.account,
                                         file_type: opts.fetch(:file_type, :file), meta: opts.fetch(:meta, {}))
    io = opts[:path] ? File.open(opts[:path], "rb") : StringIO.new(opts.fetch(:bytes))
    attachment.file.attach(io: io, filename: filename, content_type: content_type, identify: false)
    attachment.save!
    io.close
    attachment
  end

  def capture_log
    io = StringIO.new
    previous = Rails.logger
    Rails.logger = ActiveSupport::Logger.new(io)
    yield
    io.string
  ensure
    Rails.logger = previous
  end

  def failed_with(message, sentence)
    message.reload
    expect(message.status).to eq("failed")
    expect(message.content_attributes["external_error"]).to eq(sentence)
  end

  def basic_auth
    "Basic #{["#{gateway.username}:#{gateway.password}"].pack('m0')}"
  end

  def jpeg(size = 3000) = "\xFF\xD8\xFF\xE0".b + Random.new(size).bytes(size)

  describe "#send_message with text" do
    it "posts /send/message with the sanitised JID, Basic Auth, and stores the returned id" do
      message = outgoing
      id = service.send_message("+#{to}", message)

      req = gateway.last_request
      expect([req.method, req.path]).to eq(["POST", "/send/message"])
      expect(req.json).to eq("phone" => to_jid, "message" => "Hello from the agent")
      expect(req.headers["authorization"]).to eq(basic_auth)
      expect(req.headers).not_to have_key("x-device-id")
      expect(id).to match(/\A3EB0[0-9A-F]{16}\z/)
      expect(message.reload.source_id).to eq(id)
      expect(message.status).to eq("sent")
    end

    it "sends X-Device-Id when the config names a device" do
      channel.update_columns(provider_config: config.merge("device_id" => "org_1"))
      service.send_message(to, outgoing)
      expect(gateway.last_request.headers["x-device-id"]).to eq("org_1")
    end

    it "quotes the replied message through reply_message_id" do
      create_message(conversation: conversation, message_type: :incoming, content: "question",
                     source_id: "3EB0AAAABBBBCCCCDDDD")
      message = outgoing("answer", content_attributes: { in_reply_to_external_id: "3EB0AAAABBBBCCCCDDDD" })
      service.send_message(to, message)
      expect(gateway.last_request.json).to include("reply_message_id" => "3EB0AAAABBBBCCCCDDDD", "message" => "answer")
    end

    it "sends an input_select as text with numbered options" do
      message = outgoing("Pick one", content_type: :input_select,
                                     content_attributes: { items: [{ title: "Sales", value: "s" },
                                                                   { title: "Support", value: "t" }] })
      service.send_message(to, message)
      expect(gateway.last_request.json["message"]).to eq("Pick one\n\n1. Sales\n2. Support")
    end

    it "sends a group chat to its group JID" do
      service.send_message("120363025246125486@g.us", outgoing)
      expect(gateway.last_request.json["phone"]).to eq("120363025246125486@g.us")
    end
  end

  describe "#send_message with attachments" do
    it "uploads a JPEG to /send/image from the stored file, caption = the text" do
      bytes = jpeg
      message = outgoing("look")
      attach(message, filename: "photo.jpg", content_type: "image/jpeg", bytes: bytes, file_type: :image)
      id = service.send_message(to, message.reload)

      req = gateway.last_request
      expect(req.path).to eq("/send/image")
      expect(req.headers["content-type"]).to start_with("multipart/form-data")
      expect(req.headers["authorization"]).to eq(basic_auth)
      expect(req.fields).to eq("phone" => to_jid, "caption" => "look")
      file = req.files.first
      expect([file.name, file.filename, file.content_type]).to eq(["image", "photo.jpg", "image/jpeg"])
      expect(file.bytes).to eq(bytes)
      expect(message.reload.source_id).to eq(id)
    end

    it "maps video types to /send/video and names AVI the way the gateway accepts" do
      message = outgoing("clip")
      attach(message, filename: "clip.avi", content_type: "video/x-msvideo", bytes: "RIFFxxxxAVI " * 50,
                      file_type: :video)
      service.send_message(to, message.reload)
      req = gateway.last_request
      expect(req.path).to eq("/send/video")
      expect([req.files.first.name, req.files.first.content_type]).to eq(%w[video video/avi])
    end

    it "sends a dashboard voice recording as a voice note (ptt), its text first as a message" do
      message = outgoing("listen")
      ogg = "OggS".b + Random.new(1).bytes(4000)
      attach(message, filename: "recording.ogg", content_type: "audio/ogg", bytes: ogg, file_type: :audio,
                      meta: { "is_recorded_audio" => true })
      id = service.send_message(to, message.reload)

      text, audio = gateway.requests
      expect([text.path, text.json["message"]]).to eq(["/send/message", "listen"])
      expect(audio.path).to eq("/send/audio")
      expect(audio.fields).to eq("phone" => to_jid, "ptt" => "true")
      expect([audio.files.first.content_type, audio.files.first.bytes]).to eq(["audio/ogg", ogg])
      expect(id).not_to be_nil
      expect(message.reload.source_id).to eq(id) # the first message sent: the text
    end

    it "sends an uploaded MP3 as plain audio (no ptt), mapping audio/mp4 to audio/m4a" do
      message = outgoing("")
      attach(message, filename: "song.mp3", content_type: "audio/mpeg", bytes: "ID3" * 100, file_type: :audio)
      attach(message, filename: "memo.m4a", content_type: "audio/mp4", bytes: "ftypM4A" * 100, file_type: :audio)
      service.send_message(to, message.reload)
      mp3, m4a = gateway.requests
      expect(mp3.fields).to eq("phone" => to_jid)
      expect(mp3.files.first.content_type).to eq("audio/mpeg")
      expect(m4a.files.first.content_type).to eq("audio/m4a")
    end

    it "sends a small webp as a sticker and anything unknown as a file" do
      message = outgoing("docs")
      attach(message, filename: "smile.webp", content_type: "image/webp", bytes: "RIFF#{"\x00" * 900}".b,
                      file_type: :image)
      attach(message, filename: "report.pdf", content_type: "application/pdf", bytes: "%PDF-1.7 report")
      service.send_message(to, message.reload)

      paths = gateway.requests.map(&:path)
      expect(paths).to eq(%w[/send/message /send/sticker /send/file])
      sticker, file = gateway.requests.last(2).map { |r| r.files.first }
      expect([sticker.name, sticker.content_type]).to eq(%w[sticker image/webp])
      expect([file.name, file.filename, file.content_type, file.bytes]).to eq(
        ["file", "report.pdf", "application/pdf", "%PDF-1.7 report"]
      )
    end

    it "sends several attachments one by one, the caption and the quote on the first only" do
      create_message(conversation: conversation, message_type: :incoming, content: "q", source_id: "3EB0QUOTED")
      message = outgoing("two files", content_attributes: { in_reply_to_external_id: "3EB0QUOTED" })
      # Stored in the other order than attached (ids say the order): PostgreSQL returns an
      # unordered association as its pages hold the rows, which updates and vacuum reshuffle.
      first_id = Attachment.maximum(:id).to_i + 10
      attach(message, id: first_id + 1, filename: "b.png", content_type: "image/png", bytes: "\x89PNG".b * 10,
                      file_type: :image)
      attach(message, id: first_id, filename: "a.jpg", content_type: "image/jpeg", bytes: jpeg, file_type: :image)
      id = service.send_message(to, message.reload)

      first, second = gateway.requests
      expect(first.fields).to eq("phone" => to_jid, "caption" => "two files", "reply_message_id" => "3EB0QUOTED")
      expect(second.fields).to eq("phone" => to_jid)
      expect([first.files.first.content_type, second.files.first.content_type]).to eq(%w[image/jpeg image/png])
      expect(gateway.requests.size).to eq(2)
      expect(message.reload.source_id).to eq(id)
    end

    it "sends a location attachment to /send/location" do
      message = outgoing("")
      message.attachments.create!(account: message.account, file_type: :location, coordinates_lat: -23.55,
                                  coordinates_long: -46.63)
      service.send_message(to, message.reload)
      expect(gateway.last_request.json).to eq("phone" => to_jid, "latitude" => "-23.55", "longitude" => "-46.63")
    end

    it "refuses an oversize file before uploading anything, naming the file, the kind and the cap" do
      Dir.mktmpdir do |dir|
        big = File.join(dir, "big.jpg")
        File.open(big, "wb") { |f| f.truncate(20_000_001) }
        message = outgoing("too big")
        attach(message, filename: "ok.pdf", content_type: "application/pdf", bytes: "%PDF small")
        attach(message, filename: "big.jpg", content_type: "image/jpeg", path: big, file_type: :image)

        expect(service.send_message(to, message.reload)).to be_nil
        failed_with(message, "big.jpg is larger than WhatsApp allows for images (20 MB).")
        expect(gateway.requests).to be_empty
        expect(message.source_id).to be_nil
      end
    end

    it "sends a webp above the sticker cap as a file, not a sticker" do
      message = outgoing("")
      attach(message, filename: "photo.webp", content_type: "image/webp", bytes: "RIFF#{"\x01" * 1_000_001}".b,
                      file_type: :image)
      service.send_message(to, message.reload)
      expect(gateway.last_request.path).to eq("/send/file")
      expect(gateway.last_request.files.first.size).to eq(1_000_005)
    end
  end

  # Retry policy: send_message never raises for a gateway failure, so SendReplyJob never
  # retries. A timeout or 5xx may come after WhatsApp took the message (a retry would send it
  # twice); refused/401/not-logged-in need a person; 429 is WhatsApp's reach-out timelock
  # (hours, not seconds). Each marks the message failed with a sentence instead.
  describe "#send_message failures" do
    let(:password) { gateway.password }

    it "not logged in (401 JSON): asks for a new QR scan" do
      message = outgoing
      gateway.fail_next(:not_logged_in)
      expect(service.send_message(to, message)).to be_nil
      failed_with(message, "WhatsApp is not connected. Scan the QR code again on the connection page.")
    end

    it "wrong Basic Auth (401 plain text): points at the credentials, never shows the password" do
      channel.update_columns(provider_config: config.merge("basic_auth_password" => "wrong-#{password}"))
      message = outgoing
      log = capture_log { expect(service.send_message(to, message)).to be_nil }
      failed_with(message, "The gateway refused the credentials. Check the Basic Auth username and password.")
      expect(message.content_attributes.to_json).not_to include(password)
      expect(log).to include("message #{message.id} not sent (WawebNative::Gateway::AuthenticationError)")
      expect(log).not_to include(password)
    end

    it "a plain-text 401 with the right credentials reads the same" do
      message = outgoing
      gateway.fail_next(:unauthorized)
      expect(service.send_message(to, message)).to be_nil
      failed_with(message, "The gateway refused the credentials. Check the Basic Auth username and password.")
    end

    it "connection refused: names the gateway URL" do
      message = outgoing
      gateway.fail_next(:refuse)
      expect(service.send_message(to, message)).to be_nil
      failed_with(message, "Cannot connect to the WhatsApp gateway at #{gateway.url}.")
    end

    it "nothing listening: names the gateway URL" do
      # Bound but never listening: connections are refused, and no other program can take the port.
      closed = Socket.new(:INET, :STREAM)
      closed.bind(Addrinfo.tcp("127.0.0.1", 0))
      port = closed.local_address.ip_port
      channel.update_columns(provider_config: config.merge("api_base_url" => "http://127.0.0.1:#{port}/"))
      message = outgoing
      expect(service.send_message(to, message)).to be_nil
      failed_with(message, "Cannot connect to the WhatsApp gateway at http://127.0.0.1:#{port}.")
    ensure
      closed&.close
    end

    it "a gateway that never answers: gives up after the configured timeout with the same sentence" do
      channel.update_columns(provider_config: config.merge("timeout" => "0.5"))
      message = outgoing
      gateway.fail_next(:hang)
      expect(service.send_message(to, message)).to be_nil
      failed_with(message, "Cannot connect to the WhatsApp gateway at #{gateway.url}.")
      gateway.release_hung
    end

    it "429 rate limit: the gateway's own words" do
      message = outgoing
      gateway.fail_next(:rate_limited)
      expect(service.send_message(to, message)).to be_nil
      failed_with(message, "reachout timelock: wait before messaging new contacts")
    end

    it "500: the gateway's own words, and no exception (no Sidekiq retry: it may have been delivered)" do
      message = outgoing
      gateway.fail_next(:server_error)
      expect { expect(service.send_message(to, message)).to be_nil }.not_to raise_error
      failed_with(message, "something went wrong in the gateway")
      expect(gateway.requests.size).to eq(1)
    end

    it "malformed JSON on a 200: says the answer could not be read" do
      message = outgoing
      gateway.fail_next(:malformed_json)
      expect(service.send_message(to, message)).to be_nil
      expect(message.reload.status).to eq("failed")
      expect(message.content_attributes["external_error"])
        .to start_with("The gateway answered HTTP 200 with malformed JSON")
    end

    it "another 4xx (unknown device): the gateway's own words" do
      channel.update_columns(provider_config: config.merge("device_id" => "org_9"))
      message = outgoing
      expect(service.send_message(to, message)).to be_nil
      failed_with(message, "device org_9 not found")
    end

    it "a number that is not international: the JID rule, nothing sent" do
      message = outgoing
      expect(service.send_message("0811234567", message)).to be_nil
      expect(message.reload.status).to eq("failed")
      expect(message.content_attributes["external_error"]).to include("0811234567")
      expect(gateway.requests).to be_empty
    end

    it "an unusable api_base_url: fails the message instead of raising" do
      channel.update_columns(provider_config: config.merge("api_base_url" => "ftp://gateway"))
      message = outgoing
      expect(service.send_message(to, message)).to be_nil
      expect(message.reload.content_attributes["external_error"]).to include("api_base_url")
    end

    it "a stored file gone from disk: names it, nothing sent" do
      message = outgoing("lost")
      attachment = attach(message, filename: "gone.pdf", content_type: "application/pdf", bytes: "%PDF gone")
      blob = attachment.file.blob
      File.delete(blob.service.path_for(blob.key))
      wait = WawebNative::Outbound::MessageSender.storage_wait
      WawebNative::Outbound::MessageSender.storage_wait = 0.3
      expect(service.send_message(to, message.reload)).to be_nil
      failed_with(message, "gone.pdf could not be read from storage.")
      expect(gateway.requests).to be_empty
    ensure
      WawebNative::Outbound::MessageSender.storage_wait = wait
    end

    # ActiveStorage uploads after the commit that made the attachment visible; Chatwoot's
    # 2 s delay before the send is a guess, so a file that arrives late is waited for.
    it "a file still on its way to the storage: waits for it, then sends it" do
      message = outgoing("late")
      attachment = attach(message, filename: "late.pdf", content_type: "application/pdf", bytes: "%PDF late")
      blob = attachment.file.blob
      File.delete(blob.service.path_for(blob.key))
      uploader = Thread.new do
        sleep 0.5
        blob.service.upload(blob.key, StringIO.new("%PDF late"))
      end
      expect(service.send_message(to, message.reload)).to be_present
      uploader.join
      sent = gateway.requests.find { |r| r.path == "/send/file" }
      expect(sent.files.first.bytes).to eq("%PDF late")
    end

    it "a later part failing at the gateway fails the message, keeping the first id but not as source_id" do
      message = outgoing("two")
      attach(message, filename: "a.jpg", content_type: "image/jpeg", bytes: jpeg, file_type: :image)
      message.attachments.create!(account: message.account, file_type: :location, coordinates_lat: nil,
                                  coordinates_long: nil)
      expect(service.send_message(to, message.reload)).to be_nil
      expect(gateway.requests.map(&:path)).to eq(%w[/send/image /send/location])
      failed_with(message, "The text and a.jpg were delivered; the location was not: latitude: cannot be blank. " \
                           "Retry sends only what is missing.")
      expect(message.source_id).to be_nil # so the agent's retry (SendReplyJob) is not blocked
      expect(message.content_attributes["waweb_sent_ids"]).to match([/\A3EB0/]) # for receipts and a revoke
    end

    it "a voice note failing after its text names the text as delivered, the recording as not" do
      message = outgoing("listen")
      attach(message, filename: "rec.ogg", content_type: "audio/ogg", bytes: "OggS".b + ("\0" * 64),
                      file_type: :audio, meta: { "is_recorded_audio" => true })
      gateway.fail_next(:not_logged_in, after: 1)
      expect(service.send_message(to, message.reload)).to be_nil
      expect(gateway.requests.map(&:path)).to eq(%w[/send/message /send/audio])
      failed_with(message, "The text was delivered; rec.ogg was not: WhatsApp is not connected. Scan the QR code " \
                           "again on the connection page. Retry sends only what is missing.")
    end
  end

  describe "templates and config" do
    it "send_template sends nothing, returns nil and marks the message failed (WhatsApp Web has no templates)" do
      message = outgoing
      expect(service.send_template(to, { name: "hello" }, message)).to be_nil
      expect(gateway.requests).to be_empty
      failed_with(message, "WhatsApp Web has no message templates. Send the text as a normal message.")
      expect(service.send_template(to, { name: "hello" })).to be_nil
    end

    it "sync_templates empties the list and marks them updated" do
      channel.update_columns(message_templates: [{ "name" => "old" }], message_templates_last_updated: nil)
      expect(service.sync_templates).to eq([])
      channel.reload
      expect(channel.message_templates).to eq([])
      expect(channel.message_templates_last_updated).to be_within(5.seconds).of(Time.zone.now)
    end

    it "validate_provider_config? is true for a reachable gateway with good credentials" do
      expect(service.validate_provider_config?).to be(true)
      expect(service.last_validation_error).to be_nil
      expect(gateway.last_request.path).to eq("/app/status")
    end

    it "validate_provider_config? is true before the QR code is scanned" do
      gateway.logged_in = false
      expect(service.validate_provider_config?).to be(true)
    end

    it "validate_provider_config? explains wrong credentials" do
      channel.update_columns(provider_config: config.merge("basic_auth_password" => "nope"))
      expect(service.validate_provider_config?).to be(false)
      expect(service.last_validation_error).to start_with("authentication failed")
      expect(service.last_validation_error).not_to include("nope")
    end

    it "validate_provider_config? explains an unreachable gateway" do
      service # the channel's own save validates first
      gateway.fail_next(:refuse)
      expect(service.validate_provider_config?).to be(false)
      expect(service.last_validation_error).to eq("cannot connect to the WhatsApp gateway at #{gateway.url}")
    end

    it "a channel saved with wrong credentials shows the reason beside Chatwoot's own error" do
      channel.provider_config = config.merge("basic_auth_password" => "nope")
      expect(channel.save).to be(false)
      expect(channel.errors[:provider_config]).to include(
        "authentication failed: the gateway refused the Basic Auth username and password", "Invalid Credentials"
      )
    end

    it "api_headers carry Basic Auth and the device" do
      channel.update_columns(provider_config: config.merge("device_id" => "org_1"))
      expect(service.api_headers).to eq("Authorization" => basic_auth, "X-Device-Id" => "org_1")
    end

    it "media_url joins the gateway base and a webhook media path" do
      expect(service.media_url("statics/media/1-a.jpg")).to eq("#{gateway.url}/statics/media/1-a.jpg")
      expect(service.media_url("/statics/media/1-a.jpg")).to eq("#{gateway.url}/statics/media/1-a.jpg")
    end

    it "defaults api_base_url to http://localhost:3000" do
      channel.update_columns(provider_config: config.except("api_base_url"))
      expect(service.api_base_url).to eq("http://localhost:3000")
    end

    it "keeps one client per channel across service instances and rebuilds it when the config changes" do
      first = service.client
      expect(described_class.new(whatsapp_channel: Channel::Whatsapp.find(channel.id)).client).to be(first)
      channel.update_columns(provider_config: config.merge("basic_auth_password" => "rotated"))
      expect(described_class.new(whatsapp_channel: channel.reload).client).not_to be(first)
    end
  end

  describe "gateway actions" do
    it "login_qr returns the QR PNG as a data URL and its lifetime" do
      gateway.logged_in = false
      qr = service.login_qr
      expect(qr[:expires_in]).to eq(30)
      expect(qr[:data_url]).to start_with("data:image/png;base64,")
      expect(qr[:data_url].delete_prefix("data:image/png;base64,").unpack1("m0")).to eq(FakeGateway.png)
      expect(gateway.requests.map(&:path)).to eq(["/app/login", gateway.requests.last.path])
      expect(gateway.requests.last.path).to start_with("/statics/qrcode/")
    end

    it "login_qr works behind APP_BASE_PATH" do
      prefixed = FakeGateway.start(base_path: "/wa", logged_in: false)
      channel.update_columns(provider_config: config.merge("api_base_url" => prefixed.url,
                                                           "basic_auth_password" => prefixed.password))
      qr = described_class.new(whatsapp_channel: channel.reload).login_qr
      expect(qr[:data_url].delete_prefix("data:image/png;base64,").unpack1("m0")).to eq(FakeGateway.png)
      expect(prefixed.last_request.path).to start_with("/wa/statics/qrcode/")
    ensure
      prefixed&.stop
    end

    it "login_qr raises the gateway's error when already logged in" do
      expect { service.login_qr }.to raise_error(WawebNative::Gateway::RequestError, /already logged in/)
    end

    it "login_with_code sends the phone's digits and returns the pair code" do
      gateway.logged_in = false
      expect(service.login_with_code("+62 811-0000-1111")).to match(/\A[A-Z]{4}-[A-Z]{4}\z/)
      expect(gateway.last_request.query).to eq("phone" => "6281100001111")
    end

    it "connection_status reports connected, logged in and the device" do
      expect(service.connection_status).to eq(connected: true, logged_in: true,
                                              device_id: "6281100000001@s.whatsapp.net")
      gateway.logged_in = false
      expect(service.connection_status).to include(connected: false, logged_in: false)
    end

    it "devices lists the gateway's devices" do
      expect(service.devices).to eq([{ name: "Fake", device: "6281100000001@s.whatsapp.net" }])
    end

    it "logout and reconnect" do
      expect(service.reconnect).to be(true)
      expect(gateway.last_request.path).to eq("/app/reconnect")
      expect(service.logout).to be(true)
      expect(service.connection_status[:logged_in]).to be(false)
    end

    it "mark_read posts one read per id to the chat" do
      expect(service.mark_read(%w[3EB0A 3EB0B], to)).to eq(2)
      expect(gateway.requests.map { |r| [r.path, r.json] }).to eq(
        [["/message/3EB0A/read", { "phone" => to_jid }], ["/message/3EB0B/read", { "phone" => to_jid }]]
      )
    end

    it "react, revoke and edit target the message in the chat" do
      expect(service.react("3EB0A", "👍", to)).to match(/\A3EB0/)
      expect(gateway.last_request.json).to eq("phone" => to_jid, "emoji" => "👍")
      expect(service.revoke("3EB0A", to)).to match(/\A3EB0/)
      expect(gateway.last_request.path).to eq("/message/3EB0A/revoke")
      expect(service.edit("3EB0A", "fixed", to)).to match(/\A3EB0/)
      expect([gateway.last_request.path, gateway.last_request.json]).to eq(
        ["/message/3EB0A/update", { "phone" => to_jid, "message" => "fixed" }]
      )
    end

    it "typing starts and stops the chat presence" do
      service.typing(to, true)
      service.typing(to, false)
      expect(gateway.requests.map { |r| [r.path, r.json["action"]] }).to eq(
        [["/send/chat-presence", "start"], ["/send/chat-presence", "stop"]]
      )
    end

    it "avatar_url returns the picture URL, nil for someone not on WhatsApp" do
      expect(service.avatar_url(to)).to eq("#{gateway.url}/statics/media/avatar-#{to_jid}.jpg")
      gateway.not_on_whatsapp << to_jid
      expect(service.avatar_url(to)).to be_nil
    end

    it "contact_info describes a user and a group" do
      expect(service.contact_info(to)).to include(jid: to_jid, name: "Contact #{to_jid}", status: "Hey there")
      group = service.contact_info("120363025246125486@g.us")
      expect(group).to eq(jid: "120363025246125486@g.us", name: "Fake group",
                          participants: ["6281100000001@s.whatsapp.net"])
      expect(gateway.last_request.query).to eq("group_id" => "120363025246125486@g.us")
    end
  end

  describe "the SendReplyJob path (the engine's Channel::Whatsapp#provider_service hook)" do
    it "an agent's reply goes through Sidekiq to the gateway and gets the WhatsApp id as source_id" do
      message = outgoing("from the dashboard")
      ran = drain_sidekiq
      expect(ran.map { |job| job["wrapped"] }).to include("SendReplyJob")
      expect(gateway.last_request.json).to eq("phone" => to_jid, "message" => "from the dashboard")
      expect(message.reload.source_id).to match(/\A3EB0/)
    end

    it "a reply with an image goes as multipart after Chatwoot's attachment delay" do
      message = Message.new(account: conversation.account, inbox: conversation.inbox, conversation: conversation,
                            message_type: :outgoing, content: "see", sender: create_user)
      attachment = message.attachments.new(account: message.account, file_type: :image)
      attachment.file.attach(io: StringIO.new(jpeg), filename: "p.jpg", content_type: "image/jpeg", identify: false)
      message.save!
      drain_sidekiq
      expect(gateway.last_request.path).to eq("/send/image")
      expect(gateway.last_request.fields).to eq("phone" => to_jid, "caption" => "see")
      expect(message.reload.source_id).to match(/\A3EB0/)
    end

    it "a gateway failure marks the message failed and leaves nothing to retry" do
      message = outgoing("doomed")
      gateway.fail_next(:not_logged_in)
      drain_sidekiq
      failed_with(message, "WhatsApp is not connected. Scan the QR code again on the connection page.")
      expect(Sidekiq::RetrySet.new.size).to eq(0)
    end

    it "an echo (a message with a source_id) is never sent back" do
      outgoing("typed on the phone", source_id: "3EB0FROMPHONE")
      drain_sidekiq
      expect(gateway.requests).to be_empty
    end
  end
end
