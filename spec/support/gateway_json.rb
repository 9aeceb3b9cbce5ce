# frozen_string_literal: true

require "json"

# JSON as the gateway's Go encoder writes it (sorted keys, no spaces, <>& escaped), for
# webhook bodies built from Hashes (spec/dummy/script/demo.rb, rake compat:chatwoot).
module GatewayJson
  module_function

  def generate(value)
    JSON.generate(sorted(value)).gsub("<", "\\u003c").gsub(">", "\\u003e").gsub("&", "\\u0026")
  end

  def sorted(value)
    case value
    when Hash then value.keys.map(&:to_s).sort.to_h { |k| [k, sorted(value[k] || value[k.to_sym])] }
    when Array then value.map { |v| sorted(v) }
    else value
    end
  end
end
