import { mark } from '@p2p-chat/shared'
import { mount } from 'svelte'
import App from './components/App.svelte'
import { ChatSession } from './lib/state/chat-session.svelte.js'
import './styles.css'

mark('app-start')
const session = new ChatSession()
mount(App, { target: document.getElementById('app')!, props: { session } })
void session.start()
addEventListener('pagehide', () => { void session.stop() })
// a page restored from the back/forward cache comes back with its node stopped (pagehide): start afresh
addEventListener('pageshow', evt => {
  if (evt.persisted) {
    location.reload()
  }
})
