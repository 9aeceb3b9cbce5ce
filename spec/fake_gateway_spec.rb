# frozen_string_literal: true

require "net/http"
require "tempfile"

# The fake must behave like gateway-contract.md, or every spec built on it proves nothing.
# Driven with Net::HTTP so it does not depend on the client under test.
RSpec.describe FakeGateway do
  let(:gateway) { described_class.start }

  after { gateway.stop }

  def http(verb, path, body: nil, headers: {}, auth: true)
    uri = URI("#{gateway.url}#{path}")
    request = Net::HTTP.const_get(verb.capitalize).new(uri, headers)
    request.basic_auth(gateway.username, gateway.password) if auth
    request.body = body if body
    Net::HTTP.start(uri.host, uri.port) { |h| h.request(request) }
  end

  def multipart(path, fields, part_name, bytes, type)
    boundary = "fakeboundary42"
    body = fields.map { |k, v| "--#{boundary}\r\nContent-Disposition: form-data; name=\"#{k}\"\r\n\r\n#{v}\r\n" }.join
    body = (body + "--#{boundary}\r\nContent-Disposition: form-data; name=\"#{part_name}\"; filename=\"f.bin\"\r\n" \
                   "Content-Type: #{type}\r\n\r\n").b + bytes + "\r\n--#{boundary}--\r\n"
    http("post", path, body: body, headers: { "Content-Type" => "multipart/form-data; boundary=#{boundary}" })
  end

  def json_of(response) = JSON.parse(response.body)

  it "answers a wrong password with a plain-text 401 and WWW-Authenticate" do
    response = http("get", "/app/status", auth: false)
    expect(response.code).to eq("401")
    expect(response["www-authenticate"]).to start_with("Basic")
    expect(response["content-type"]).to start_with("text/plain")
  end

  it "answers a logged-out WhatsApp with a JSON 401 AUTHENTICATION_ERROR" do
    gateway.logged_in = false
    response = http("post", "/send/message", body: '{"phone":"628123456","message":"x"}',
                                             headers: { "Content-Type" => "application/json" })
    expect([response.code, json_of(response)["code"]]).to eq(%w[401 AUTHENTICATION_ERROR])
  end

  it "logs in with a real PNG QR code served without auth, then logs out" do
    gateway.logged_in = false
    results = json_of(http("get", "/app/login"))["results"]
    expect(results["qr_duration"]).to eq(30)
    png = Net::HTTP.get_response(URI(results["qr_link"]))
    expect(png.body.b).to start_with("\x89PNG\r\n\x1A\n".b)
    gateway.logged_in = true
    expect(json_of(http("get", "/app/login"))["code"]).to eq("ALREADY_LOGGED_IN")
    expect(http("get", "/app/logout").code).to eq("200")
    expect(gateway.logged_in).to be(false)
  end

  it "sends with 3EB0 message ids and records the JSON body and X-Device-Id" do
    headers = { "Content-Type" => "application/json", "X-Device-Id" => "org_1" }
    response = http("post", "/send/message", body: '{"phone":"+628123456","message":"hi"}', headers: headers)
    expect(json_of(response).dig("results", "message_id")).to match(/\A3EB0[0-9A-F]{16}\z/)
    expect(gateway.last_request.json).to eq("phone" => "+628123456", "message" => "hi")
    expect(gateway.last_request.headers["x-device-id"]).to eq("org_1")
  end

  it "rejects unknown devices and phones starting with 0" do
    expect(json_of(http("get", "/app/devices", headers: { "X-Device-Id" => "nope" }))["code"]).to eq("DEVICE_NOT_FOUND")
    response = http("post", "/send/message", body: '{"phone":"0812345","message":"x"}',
                                             headers: { "Content-Type" => "application/json" })
    expect([response.code, json_of(response)["code"]]).to eq(%w[400 INVALID_JID])
  end

  it "checks an upload's type from its part's Content-Type and records its bytes" do
    ok = multipart("/send/image", { phone: "628123456" }, "image", described_class.png, "image/png")
    expect(ok.code).to eq("200")
    file = gateway.last_request.files.first
    expect([file.content_type, file.bytes, gateway.last_request.fields]).to eq(["image/png", described_class.png,
                                                                                { "phone" => "628123456" }])
    bad = multipart("/send/video", { phone: "628123456" }, "video", "x", "image/png")
    expect(json_of(bad)["code"]).to eq("VALIDATION_ERROR")
  end

  it "caps images at 20 MB" do
    response = multipart("/send/image", { phone: "628123456" }, "image", "\0".b * ((20 * 1024 * 1024) + 1),
                         "image/jpeg")
    expect(json_of(response)["message"]).to include("maximum file size is 20MB")
  end

  it "accepts the JSON *_url variants" do
    response = http("post", "/send/file", body: '{"phone":"628123456","file_url":"http://x/y.pdf"}',
                                          headers: { "Content-Type" => "application/json" })
    expect(response.code).to eq("200")
  end

  it "serves registered media without auth" do
    url = gateway.add_media("pic.jpg", "jpegbytes")
    response = Net::HTTP.get_response(URI(url))
    expect([response.code, response["content-type"], response.body]).to eq(%w[200 image/jpeg jpegbytes])
  end

  it "fails on demand, then recovers" do
    gateway.fail_next(:rate_limited).fail_next(:server_error)
    expect(http("get", "/app/status").code).to eq("429")
    expect(http("get", "/app/status").code).to eq("500")
    expect(http("get", "/app/status").code).to eq("200")
    gateway.mode = :not_logged_in
    expect(json_of(http("get", "/app/status"))["code"]).to eq("AUTHENTICATION_ERROR")
  end

  it "releases hung requests when stopped" do
    gateway.fail_next(:hang)
    thread = Thread.new { http("get", "/app/status") }
    sleep 0.01 until gateway.requests.any?
    gateway.release_hung
    expect(thread.value.code).to eq("504")
  end

  it "counts keep-alive connections" do
    uri = URI(gateway.url)
    Net::HTTP.start(uri.host, uri.port) do |h|
      3.times { h.request(Net::HTTP::Get.new("/app/status").tap { |r| r.basic_auth(gateway.username, gateway.password) }) }
    end
    expect(gateway.requests.size).to eq(3)
    expect(gateway.connection_count).to eq(1)
  end
end
