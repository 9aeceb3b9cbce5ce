# frozen_string_literal: true

# Multipart: memory while streaming a 200 MB file part (target: RSS grows < 16 MB), and
# building a small body against the plain-Ruby way (String concatenation).
require_relative "bench_helper"
require "securerandom"
require "tmpdir"

module MultipartBench
  module_function

  MB = 1024 * 1024
  TARGET_MB = 16

  def status_kb(field)
    File.read("/proc/self/status")[/^#{field}:\s+(\d+)/, 1].to_i
  end

  # Lets VmHWM restart from the current RSS (Linux >= 4.0); false if not permitted.
  def reset_peak
    File.write("/proc/self/clear_refs", "5")
    true
  rescue SystemCallError
    false
  end

  # Peak RSS growth in MB while the block runs.
  def rss_growth_mb
    GC.start
    reset = reset_peak
    before = Bench.rss_kb
    hwm_before = status_kb("VmHWM")
    yield
    peak = status_kb("VmHWM")
    peak = [peak, Bench.rss_kb].max unless reset || peak > hwm_before
    (peak - before) / 1024.0
  end

  def report(label, growth, bytes)
    verdict = growth < TARGET_MB ? "ok" : "OVER TARGET"
    printf("%<label>-44s %<mb>6.1f MB body, peak RSS growth %<growth>5.1f MB (target < %<target>d MB) %<verdict>s\n",
           label: label, mb: bytes / MB.to_f, growth: growth, target: TARGET_MB, verdict: verdict)
  end

  def big_file
    path = File.join(Dir.tmpdir, "waweb_mp_bench_#{Process.pid}.bin")
    File.open(path, "wb") { |f| f.truncate(200 * MB) } # sparse: quick to create
    yield path
  ensure
    File.unlink(path) if path && File.exist?(path)
  end

  def streaming
    big_file do |path|
      m = WawebNative::Multipart.new
      m.add_field("phone", "6281234567890")
      m.add_file("file", path, content_type: "video/mp4")
      buf = String.new(capacity: 64 * 1024)
      # Reusing one buffer first: freed garbage from the fresh-string run would be reused
      # and hide growth, never the other way round.
      bytes = 0
      growth = rss_growth_mb { bytes += buf.bytesize while m.read(64 * 1024, buf) }
      report("multipart 200 MB read(64K, buf)", growth, bytes)
      raise "length mismatch" unless bytes == m.content_length

      bytes = 0
      growth = rss_growth_mb { m.each_chunk(buf) { |chunk| bytes += chunk.bytesize } }
      report("multipart 200 MB each_chunk(buf)", growth, bytes)

      bytes = 0
      growth = rss_growth_mb { m.each_chunk { |chunk| bytes += chunk.bytesize } }
      report("multipart 200 MB each_chunk (fresh strings)", growth, bytes)
    end
  end

  def ruby_escape(str) = str.gsub(/["\r\n]/, "\"" => "%22", "\r" => "%0D", "\n" => "%0A")

  # The common Ruby way: concatenate the parts (reading the whole file).
  def ruby_parts(boundary, fields)
    body = String.new(encoding: Encoding::BINARY)
    fields.each do |k, v|
      body << "--#{boundary}\r\nContent-Disposition: form-data; name=\"#{ruby_escape(k)}\"\r\n\r\n" << v.b << "\r\n"
    end
    body
  end

  def ruby_body(fields, name, path, filename, type)
    boundary = "----ruby#{SecureRandom.hex(16)}"
    body = ruby_parts(boundary, fields)
    body << "--#{boundary}\r\nContent-Disposition: form-data; name=\"#{ruby_escape(name)}\"; " \
            "filename=\"#{ruby_escape(filename)}\"\r\nContent-Type: #{type}\r\n\r\n"
    body << File.binread(path) << "\r\n--#{boundary}--\r\n"
    [boundary, body]
  end

  def ruby_fields(fields)
    boundary = "----ruby#{SecureRandom.hex(16)}"
    ruby_parts(boundary, fields) << "--#{boundary}--\r\n"
  end

  def native_body(fields, name, path, filename, type)
    m = WawebNative::Multipart.new
    fields.each { |k, v| m.add_field(k, v) }
    m.add_file(name, path, filename: filename, content_type: type)
    body = m.read
    m.close # the file descriptor goes now, as File.binread's does
    [m.boundary, body]
  end

  def native_fields(fields)
    m = WawebNative::Multipart.new
    fields.each { |k, v| m.add_field(k, v) }
    m.read
  end

  def small_bodies
    path = File.join(Dir.tmpdir, "waweb_mp_small_#{Process.pid}.jpg")
    File.binwrite(path, Random.new(7).bytes(4096))
    fields = { "phone" => "6281234567890", "caption" => "Olá, segue a foto", "view_once" => "false" }
    args = [fields, "image", path, "photo.jpg", "image/jpeg"]
    b1, native = native_body(*args)
    b2, ruby = ruby_body(*args)
    raise "bodies differ" unless native.gsub(b1, "B") == ruby.gsub(b2, "B")

    Bench.compare("multipart 3 fields + 4 KB file", native: -> { native_body(*args) },
                                                    reference: -> { ruby_body(*args) })
    # The same without the file: the builder's own cost, free of open/read syscalls.
    Bench.compare("multipart 3 fields", native: -> { native_fields(fields) },
                                        reference: -> { ruby_fields(fields) })
  ensure
    File.unlink(path) if path && File.exist?(path)
  end
end

MultipartBench.streaming
MultipartBench.small_bodies
