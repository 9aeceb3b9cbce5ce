# frozen_string_literal: true

# Chatwoot's AutomationRuleListener, reduced: each active rule of the account for the
# event runs (its conditions and actions are not modelled: a run is counted).
class AutomationRuleListener
  include Singleton

  def conversation_created(event)
    run("conversation_created", event.data[:conversation].account_id)
  end

  def message_created(event)
    message = event.data[:message]
    return if message.activity?

    run("message_created", message.account_id)
  end

  private

  def run(event_name, account_id)
    AutomationRule.where(account_id: account_id, event_name: event_name, active: true).find_each do |rule|
      rule.increment!(:runs)
    end
  end
end
