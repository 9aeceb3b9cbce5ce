# frozen_string_literal: true

desc "Run every benchmark in bench/ (C against the plain-Ruby reference, ratios printed)"
task bench: :compile do
  Dir[File.expand_path("../bench/*_bench.rb", __dir__)].each do |file|
    puts "== #{File.basename(file)}"
    ruby file
  end
end
