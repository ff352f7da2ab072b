import { getContext, setContext } from 'svelte'
import type { ChatSession } from './chat-session.svelte.js'

const SESSION = Symbol('chat-session')

/** Shares the chat session with every component under the root. */
export function setSession (session: ChatSession): ChatSession {
  return setContext(SESSION, session)
}

export function getSession (): ChatSession {
  const session = getContext<ChatSession | undefined>(SESSION)
  if (session == null) {
    throw new Error('getSession() called outside a component tree that has a chat session')
  }
  return session
}
