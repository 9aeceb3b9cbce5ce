# frozen_string_literal: true

require_relative "inbound_helper"

RSpec.describe "Media the gateway did not download (auto-download off)", :inbound do
  let(:gateway) { FakeGateway.start }
  let(:inbox) { create_web_inbox(gateway: gateway) }
  let(:chat) { "628123456789@s.whatsapp.net" }
  let(:pdf) { "%PDF-1.4\n#{'x' * 2000}\n%%EOF\n".b }

  after { gateway.stop }

  def downloads = gateway.requests.select { |r| r.path.end_with?("/download") }.map { |r| [r.path, r.query] }

  it "asks the gateway to download it, then stores the file from /statics/" do
    gateway.add_downloadable("3EB0B8", chat, "1785578400-invoice.pdf", pdf)
    deliver(inbox, fixture("v8/document_url.json"))
    message = Message.sole
    expect(downloads).to eq([["/message/3EB0B8/download", { "phone" => chat }]])
    attachment = message.attachments.sole
    expect([attachment.file_type, attachment.file.filename.to_s, attachment.file.download])
      .to eq(["file", "invoice.pdf", pdf])
    expect(message.content.to_s).not_to include("Media not downloaded")
    expect(message.content_attributes).not_to have_key("media_unavailable")
  end

  it "names a file without a name after its kind, id and the downloaded file's extension" do
    picture = FakeGateway.png
    gateway.add_downloadable("3EB0I1", chat, "1785578400-abc.png", picture)
    deliver(inbox, InboundBodies.text(id: "3EB0I1", from: chat, body: "look",
                                      image: { "url" => "https://mmg.whatsapp.net/x.enc", "caption" => "look" }))
    attachment = Message.sole.attachments.sole
    expect([attachment.file.filename.to_s, attachment.file.content_type]).to eq(["image-3EB0I1.png", "image/png"])
  end

  it "in a group, asks in the group's chat" do
    group = "120363025246125888@g.us"
    gateway.add_downloadable("3EB0G9", group, "1785578400-g.pdf", pdf)
    deliver(inbox, InboundBodies.text(id: "3EB0G9", from: chat, chat: group,
                                      document: { "url" => "https://mmg.whatsapp.net/g.enc", "filename" => "g.pdf" }))
    expect(downloads).to eq([["/message/3EB0G9/download", { "phone" => group }]])
    expect(Message.sole.attachments.sole.file.download).to eq(pdf)
  end

  describe "when that fails too" do
    it "keeps today's note when the gateway cannot download it (404), with a log line" do
      log = LogCapture.during { deliver(inbox, fixture("v8/document_url.json")) }
      message = Message.sole
      expect(message.attachments).to be_empty
      expect(message.content).to include("Media not downloaded")
      expect(message.content_attributes["media_url"]).to eq("https://mmg.whatsapp.net/v/t62.7119-24/abc.enc")
      expect(log).to include("media download failed for message 3EB0B8 (inbox #{inbox.id})",
                             "on-demand download: WawebNative::Gateway::RequestError")
    end

    it "keeps today's note when the gateway is down or answers 500; the message is never lost" do
      inbox
      gateway.add_downloadable("3EB0B8", chat, "1785578400-invoice.pdf", pdf)
      gateway.fail_next(:server_error)
      deliver(inbox, fixture("v8/document_url.json"))
      expect(Message.sole.content).to include("Media not downloaded")

      gateway.stop
      deliver(inbox, InboundBodies.text(id: "3EB0B9", from: chat, document: { "url" => "https://x/y.enc" }))
      expect(Message.find_by!(source_id: "3EB0B9").content).to include("Media not downloaded")
    end

    it "says the media is unavailable when the downloaded file cannot be read from /statics/" do
      gateway.add_downloadable("3EB0B8", chat, "1785578400-gone.pdf", nil) # downloaded, then cleaned up
      deliver(inbox, fixture("v8/document_url.json"))
      message = Message.sole
      expect(message.content).to include("Media unavailable")
      expect(message.content_attributes).to include("media_unavailable" => true,
                                                    "media_path" => "statics/media/1785578400-gone.pdf")
    end
  end
end
