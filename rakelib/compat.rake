# frozen_string_literal: true

# rake compat:ruby33 — builds the extension and runs the specs under Debian trixie's
# Ruby 3.3, inside a debootstrap chroot made (once) under tmp/compat/trixie. Needs root,
# debootstrap (installed by the task when missing) and the Debian mirror this machine
# already uses (read from its apt sources, or WAWEB_DEBIAN_MIRROR).
#
# The project is copied (not bind-mounted) into the chroot, so nothing in the chroot can
# reach back into the work tree; only /proc is mounted, and always unmounted afterwards.
# By default only the specs that do not need Rails run (a small Gemfile: rake,
# rake-compiler, rspec, rack, puma for the fake gateway); WAWEB_COMPAT_RAILS=1 uses the project's Gemfile and runs
# the whole suite instead (bundles Rails; the host specs need PostgreSQL and Redis).
require "English"
module Compat
  PROJECT = File.expand_path("..", __dir__)
  ROOT = File.join(PROJECT, "tmp/compat/trixie")
  SUITE = "trixie"
  BUILD_PACKAGES = %w[build-essential pkg-config libcurl4-openssl-dev libssl-dev libyajl-dev
                      ca-certificates].freeze
  RAILS_PACKAGES = %w[libpq-dev libsqlite3-dev libyaml-dev postgresql redis-server chromium chromium-driver].freeze

  module_function

  # Every path we create or delete must lie strictly inside the chroot.
  def inside(rel)
    path = File.expand_path(rel.delete_prefix("/"), ROOT)
    raise "refusing to touch #{path}: outside #{ROOT}" unless path.start_with?("#{ROOT}/")

    path
  end

  def sh!(*cmd)
    puts "+ #{cmd.join(' ')}"
    system(*cmd) || raise("failed (#{$CHILD_STATUS.exitstatus}): #{cmd.join(' ')}")
  end

  def mounted_under_root
    File.readlines("/proc/mounts").map { |l| l.split[1] }.select { |m| m == ROOT || m.start_with?("#{ROOT}/") }
  end

  def mirror
    return ENV["WAWEB_DEBIAN_MIRROR"] if ENV["WAWEB_DEBIAN_MIRROR"]

    uris = Dir["/etc/apt/sources.list.d/*.sources"].flat_map do |f|
      File.read(f).scan(/^URIs:\s*(.+)$/).flatten.flat_map(&:split)
    end
    uris += Dir["/etc/apt/sources.list{,.d/*.list}"].flat_map do |f|
      File.read(f).scan(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/).flatten
    end
    uris.find { |u| u.match?(%r{/debian/?\z}) } ||
      abort("No Debian mirror found in /etc/apt; set WAWEB_DEBIAN_MIRROR")
  end

  def bootstrap
    if File.exist?(inside(".waweb-bootstrapped"))
      puts "==> reusing #{ROOT}"
      return
    end
    abort "compat:ruby33 needs root (debootstrap, chroot, mount)" unless Process.uid.zero?
    unless system("command -v debootstrap >/dev/null")
      sh!("apt-get", "update", "-q")
      sh!({ "DEBIAN_FRONTEND" => "noninteractive" }, "apt-get", "install", "-y", "-q",
          "--no-install-recommends", "debootstrap")
    end
    abort "#{ROOT} is half-made and has mounts: #{mounted_under_root}" unless mounted_under_root.empty?
    FileUtils.mkdir_p(ROOT)
    sh!("debootstrap", "--variant=minbase", SUITE, ROOT, mirror)
    File.write(inside(".waweb-bootstrapped"), "#{Time.now.utc}\n")
  end

  # The chroot trusts what the host trusts (e.g. the CA of a TLS-inspecting proxy), so
  # gem and bundler reach RubyGems the way the host does.
  def host_trust
    bundle = [ENV.fetch("SSL_CERT_FILE", nil), "/etc/ssl/certs/ca-certificates.crt"].compact.find { |f| File.file?(f) }
    return {} unless bundle

    FileUtils.mkdir_p(inside("etc/ssl/certs"))
    FileUtils.cp(bundle, inside("etc/ssl/certs/waweb-host-trust.crt"))
    { "SSL_CERT_FILE" => "/etc/ssl/certs/waweb-host-trust.crt" }
  end

  # Runs a bash script inside the chroot with /proc mounted, unmounting it whatever happens.
  def in_chroot(script, env = {})
    FileUtils.cp("/etc/resolv.conf", inside("etc/resolv.conf")) if File.exist?("/etc/resolv.conf")
    env = env.merge(host_trust)
    proc_dir = inside("proc")
    mounted = []
    begin
      unless mounted_under_root.include?(proc_dir)
        sh!("mount", "-t", "proc", "proc", proc_dir)
        mounted << proc_dir
      end
      base = { "HOME" => "/root", "LANG" => "C.UTF-8", "DEBIAN_FRONTEND" => "noninteractive",
               "PATH" => "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }
      args = base.merge(env).map { |k, v| "#{k}=#{v}" }
      system("chroot", ROOT, "/usr/bin/env", "-i", *args, "bash", "-ec", script)
    ensure
      mounted.reverse_each { |m| system("umount", m) || system("umount", "-l", m) }
    end
  end

  def install_packages(rails)
    # Trixie's names for Ruby 3.3, checked with apt inside the chroot rather than assumed.
    script = <<~SH
      apt-get update -q
      ruby=$(apt-cache pkgnames ruby3.3 | grep -x ruby3.3 || true)
      dev=$(apt-cache pkgnames ruby3.3 | grep -x ruby3.3-dev || true)
      if [ -z "$ruby" ] || [ -z "$dev" ]; then
        echo "trixie has no ruby3.3/ruby3.3-dev; Ruby packages it has:" >&2
        apt-cache pkgnames ruby3 >&2
        exit 1
      fi
      apt-get install -y -q --no-install-recommends "$ruby" "$dev" #{BUILD_PACKAGES.join(' ')} \
        #{RAILS_PACKAGES.join(' ') if rails}
    SH
    in_chroot(script) || abort("package installation in the chroot failed")
  end

  def copy_project
    unless mounted_under_root.none? { |m| m.start_with?(inside("src")) }
      abort "something is mounted under #{inside('src')}"
    end
    FileUtils.rm_rf(inside("src"))
    FileUtils.mkdir_p(inside("src"))
    sh!("tar -C #{PROJECT} --exclude=./tmp --exclude=./vendor --exclude=./.git --exclude=./.bundle " \
        "--exclude='*.so' --exclude='*.o' -cf - . | tar -C #{inside('src')} -xf -")
    fixtures = ENV.fetch("WAWEB_FIXTURES") { File.expand_path("../shared/fixtures/webhooks", PROJECT) }
    fixtures = "/work/shared/fixtures/webhooks" unless File.directory?(fixtures)
    FileUtils.rm_rf(inside("fixtures"))
    FileUtils.cp_r(fixtures, inside("fixtures")) if File.directory?(fixtures)
  end

  # The suite run inside the chroot.
  module Suite
    extend Compat

    module_function

    def non_rails_specs
      Dir.chdir(Compat::PROJECT) do
        Dir["spec/**/*_spec.rb"].reject { |f| File.read(f).match?(/require\s*\(?\s*["']rails_helper/) }
      end
    end

    COMPAT_GEMFILE = <<~RUBY
      # frozen_string_literal: true

      source "https://rubygems.org"
      gemspec path: "/src"
      gem "rake"
      gem "rake-compiler"
      gem "rspec"
      gem "rack", "~> 3.0"
      gem "puma", "~> 6.4"
      gem "base64"
    RUBY

    # The project's own Gemfile for the whole suite; a small one for the non-Rails specs.
    def suite_gemfile(rails)
      return "/src/Gemfile" if rails

      FileUtils.mkdir_p(inside("compat"))
      File.write(inside("compat/Gemfile"), COMPAT_GEMFILE)
      "/compat/Gemfile"
    end

    def run_suite(rails)
      specs = rails ? [] : non_rails_specs
      abort "no non-Rails specs found" if !rails && specs.empty?
      gemfile = suite_gemfile(rails)
      services = rails ? 'services_env=$(bin/services); eval "$services_env"; export RAILS_ENV=test' : ":"
      script = <<~SH
        cd /src
        ruby=$(command -v ruby3.3 || command -v ruby)
        gem=$(command -v gem3.3 || command -v gem)
        echo "==> $($ruby -v)"
        $gem install --no-document bundler
        bundle config set --local path /opt/bundle >/dev/null
        bundle install --quiet
        rm -rf tmp/x86_64-linux-gnu
        WAWEB_PEDANTIC=1 bundle exec rake compile
        #{services}
        echo "==> rspec under $($ruby -v)"
        bundle exec rspec --format progress #{specs.join(' ')}
      SH
      env = { "BUNDLE_GEMFILE" => gemfile, "WAWEB_FIXTURES" => "/fixtures" }
      # The chroot shares this machine's network: pass the services' ports through so a
      # run beside the host's own PostgreSQL and Redis can pick free ones.
      env.merge!(ENV.slice("WAWEB_PG_PORT", "WAWEB_REDIS_PORT"))
      in_chroot(script, env)
    end
  end
end

namespace :compat do
  desc "Build and run the specs under Debian trixie's Ruby 3.3 in a debootstrap chroot " \
       "(tmp/compat/trixie; WAWEB_COMPAT_RAILS=1 for the whole suite)"
  task :ruby33 do
    rails = ENV["WAWEB_COMPAT_RAILS"] == "1"
    Compat.bootstrap
    Compat.install_packages(rails)
    Compat.copy_project
    ok = Compat::Suite.run_suite(rails)
    abort "compat:ruby33 FAILED under Ruby 3.3" unless ok
    puts "compat:ruby33 passed"
  end
end
