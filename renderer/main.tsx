// Entry point: one API client (IPC in Electron, HTTP in browser mode) and the React tree.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectApi } from './api';
import { App } from './components/App';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html must contain <div id="root">');
createRoot(root).render(<StrictMode><App api={connectApi()} /></StrictMode>);
