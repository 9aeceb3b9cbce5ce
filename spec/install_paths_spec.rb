# frozen_string_literal: true

require "fileutils"
require "open3"
require "rbconfig"
require "tmpdir"

# The three ways an operator installs the gem, each in a child Ruby that sees none of this
# suite's Bundler, RubyGems or sanitizer settings, from this tree's files (what
# `gem build` packs) and without the network: a built .gem through `gem install`, a git:
# source and a path: source through Bundler.
RSpec.describe "Installing waweb_native" do
  # Loads the gem, uses the C extension and says where the extension was loaded from.
  let(:probe) do
    'require "waweb_native"; print WawebNative::JID.parse("5511987654321@s.whatsapp.net").to_s, " ", ' \
      '$LOADED_FEATURES.grep(/waweb_native\.so\z/).first'
  end

  let(:root) { File.expand_path("..", __dir__) }
  let(:work) { Dir.mktmpdir("waweb-install-") }
  let(:gemspec) { Gem::Specification.load(File.join(root, "waweb_native.gemspec")) }

  after { FileUtils.rm_rf(work) }

  def run(*cmd, env: {}, chdir: work)
    inherited = ENV.to_h.reject do |name, _|
      name.start_with?("BUNDLE_", "GEM_", "RUBY", "ASAN_", "UBSAN_") || %w[LD_PRELOAD WAWEB_ASAN].include?(name)
    end
    Open3.capture2e(inherited.merge(env), *cmd, chdir: chdir, unsetenv_others: true)
  end

  def run!(*cmd, **options)
    out, status = run(*cmd, **options)
    raise "#{cmd.join(' ')} failed:\n#{out}" unless status.success?

    out
  end

  # A checkout of the gem as git or an unpacked source would have it: the gemspec's files.
  def checkout(dir)
    (gemspec.files + ["waweb_native.gemspec"]).each do |file|
      FileUtils.mkdir_p(File.dirname(File.join(dir, file)))
      FileUtils.cp(File.join(root, file), File.join(dir, file))
    end
    dir
  end

  def bundle(gemfile_line, *args)
    File.write(File.join(work, "Gemfile"), "#{gemfile_line}\n")
    env = { "BUNDLE_GEMFILE" => File.join(work, "Gemfile"), "BUNDLE_PATH" => File.join(work, "vendor") }
    run(RbConfig.ruby, "-S", "bundle", *args, env: env)
  end

  it "from a .gem: `gem install` compiles the extension and `require` loads it" do
    gem = File.join(work, "waweb_native.gem")
    run!(RbConfig.ruby, "-S", "gem", "build", "waweb_native.gemspec", "--output", gem, chdir: root)
    home = File.join(work, "home")
    run!(RbConfig.ruby, "-S", "gem", "install", "--local", "--no-document", gem, env: { "GEM_HOME" => home })
    out = run!(RbConfig.ruby, "-e", probe, env: { "GEM_HOME" => home, "GEM_PATH" => home })
    expect(out).to eq("5511987654321@s.whatsapp.net " \
                      "#{home}/gems/waweb_native-#{gemspec.version}/lib/waweb_native/waweb_native.so")
  end

  it "from git: Bundler compiles the extension on `bundle install`" do
    repo = checkout(File.join(work, "repo"))
    run!("git", "init", "--quiet", chdir: repo)
    run!("git", "add", "--all", chdir: repo)
    run!("git", "-c", "user.name=spec", "-c", "user.email=spec@example.com", "commit", "--quiet", "-m", "snapshot",
         chdir: repo)
    out, status = bundle(%(gem "waweb_native", git: "#{repo}"), "install")
    expect(status).to be_success, out
    out, status = bundle(%(gem "waweb_native", git: "#{repo}"), "exec", RbConfig.ruby, "-e", probe)
    expect(status).to be_success, out
    expect(out).to match(%r{\A5511987654321@s\.whatsapp\.net #{work}/vendor/.*/bundler/gems/.*/waweb_native\.so\z})
  end

  it "from path: an uncompiled checkout raises a LoadError that gives the command to run, and that command works" do
    source = checkout(File.join(work, "waweb_native"))
    gemfile = %(gem "waweb_native", path: "#{source}")
    out, status = bundle(gemfile, "install")
    expect(status).to be_success, out

    out, status = bundle(gemfile, "exec", RbConfig.ruby, "-e", probe)
    expect(status).not_to be_success
    expect(out).to include("(LoadError)", "is not compiled in #{source}/lib/waweb_native",
                           "Bundler does not compile the extension of a gem from `path:`")
    command = out[/^  (mkdir -p .*)$/, 1]
    expect(command).to include(source)

    run!("sh", "-c", command)
    out, status = bundle(gemfile, "exec", RbConfig.ruby, "-e", probe)
    expect(status).to be_success, out
    expect(out).to eq("5511987654321@s.whatsapp.net #{source}/lib/waweb_native/waweb_native.so")
  end
end
