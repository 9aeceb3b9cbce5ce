# frozen_string_literal: true

# GC.compact plus the verifying double compaction, with whatever keywords this Ruby's
# verify_compaction_references takes (3.1: toward/double_heap; 3.3 deprecates double_heap
# for expand_heap). Returns false where compaction is not available.
module Compaction
  module_function

  def verify!
    return false unless GC.respond_to?(:compact) && GC.respond_to?(:verify_compaction_references)

    GC.compact
    GC.verify_compaction_references(**options)
    true
  rescue NotImplementedError
    false
  end

  def options
    keys = GC.method(:verify_compaction_references).parameters.filter_map { |type, name| name if type == :key }
    grow = keys.include?(:expand_heap) ? :expand_heap : :double_heap
    { toward: :empty, grow => true }.slice(*keys)
  end
end
