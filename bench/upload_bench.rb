# frozen_string_literal: true

# Target: uploading a 200 MB video grows the Ruby process's peak RSS by < 32 MB
# (WawebNative::Gateway::Client#post_multipart streams the part from disk), against
# HTTParty's multipart (the seed's way), which builds the whole body in memory.
#
# The fake gateway runs in a forked child so its parsing never counts; each upload runs
# in its own fork of this process, whose peak RSS (VmHWM) is reset through
# /proc/self/clear_refs just before the upload, so "growth" is VmHWM after - VmRSS before.
require_relative "bench_helper"
require_relative "../spec/support/fake_gateway"
require "httparty"
require "tmpdir"

module UploadBench
  SIZE_MB = Integer(ENV.fetch("UPLOAD_BENCH_MB", "200"))
  TARGET_MB = 32

  # The real gateway caps videos at 100 MB; this one accepts any size so the bench gets a 200.
  class SizelessGateway < FakeGateway
    private

    def media_problem(_kind, _file) = nil
  end

  module_function

  def status_kb(field)
    File.read("/proc/self/status")[/^#{field}:\s+(\d+)/, 1].to_i
  end

  def reset_peak
    File.write("/proc/self/clear_refs", "5")
  end

  # Runs the block in a fork; returns [peak growth in kB, seconds, result string].
  def measure_in_child
    reader, writer = IO.pipe
    [reader, writer].each(&:binmode) # Marshal bytes, whatever Encoding.default_internal says
    pid = fork do
      reader.close
      GC.start
      reset_peak
      before = status_kb("VmRSS")
      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      result = yield
      elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
      writer.write(Marshal.dump([status_kb("VmHWM") - before, elapsed, result.to_s]))
      writer.close
      exit!(0)
    end
    writer.close
    data = reader.read
    Process.wait(pid)
    raise "measuring child failed" if data.empty?

    Marshal.load(data) # rubocop:disable Security/MarshalLoad -- our own child's output
  end

  def start_gateway
    reader, writer = IO.pipe
    pid = fork do
      reader.close
      gateway = SizelessGateway.start(password: "bench-secret")
      writer.puts(gateway.url)
      writer.close
      sleep
    end
    writer.close
    url = reader.gets.to_s.strip
    [pid, url]
  end

  def make_video(dir)
    path = File.join(dir, "big.mp4")
    chunk = Random.new(42).bytes(1024 * 1024)
    File.open(path, "wb") { |f| SIZE_MB.times { f.write(chunk) } }
    path
  end

  def native_upload(url, path)
    client = WawebNative::Gateway::Client.new(base_url: url, username: "gowa", password: "bench-secret",
                                              timeout: 300)
    response = client.post_multipart("/send/video", { "phone" => "6281234567890", "caption" => "bench" },
                                     [{ name: "video", path: path, filename: "big.mp4", content_type: "video/mp4" }])
    "HTTP #{response.status}"
  end

  def httparty_upload(url, path)
    File.open(path, "rb") do |file|
      response = HTTParty.post("#{url}/send/video", basic_auth: { username: "gowa", password: "bench-secret" },
                                                    body: { phone: "6281234567890", caption: "bench", video: file },
                                                    multipart: true, timeout: 300)
      "HTTP #{response.code}"
    end
  end

  def run
    Dir.mktmpdir("waweb-upload-bench") do |dir|
      path = make_video(dir)
      gateway_pid, url = start_gateway
      begin
        native = measure_in_child { native_upload(url, path) }
        reference = measure_in_child { httparty_upload(url, path) }
        report(native, reference)
      ensure
        Process.kill("TERM", gateway_pid)
        Process.wait(gateway_pid)
      end
    end
  end

  # native, reference: [peak growth kB, seconds, status] each.
  def report(native, reference)
    native_mb = native[0] / 1024.0
    ref_mb = reference[0] / 1024.0
    line("post_multipart", native_mb, native[1], native[2])
    line("HTTParty", ref_mb, reference[1], reference[2])
    puts format("RSS growth ratio HTTParty/native: %<ratio>.1fx; target < %<target>d MB: %<verdict>s",
                ratio: ref_mb / [native_mb, 0.1].max, target: TARGET_MB,
                verdict: native_mb < TARGET_MB ? "met" : "MISSED")
  end

  def line(name, megabytes, seconds, status)
    puts format("upload %<size>d MB video, %<name>-15s peak RSS growth %<mb>7.1f MB in %<s>5.2f s (%<status>s)",
                size: SIZE_MB, name: name, mb: megabytes, s: seconds, status: status)
  end
end

UploadBench.run
