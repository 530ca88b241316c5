import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, NavLink, Outlet } from "react-router";
import { functionKey, onAuthRequired, setFunctionKey } from "../api/client";
import { Modal } from "./Modal";

/** The page frame: Airflow's top bar, and the function-key prompt when the API asks for one. */
export function Layout() {
  const client = useQueryClient();
  const [askKey, setAskKey] = useState(false);
  const [key, setKey] = useState("");
  useEffect(() => onAuthRequired(() => setAskKey(true)), []);
  const save = () => {
    setFunctionKey(key.trim() || null);
    setAskKey(false);
    void client.invalidateQueries();
  };
  return (
    <div className="app">
      <nav className="topbar">
        <Link to="/dags" className="brand">
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width={22} height={22} />
          <span>azflow</span>
        </Link>
        <NavLink to="/dags" className="nav-link">DAGs</NavLink>
        <span className="spacer" />
        <button type="button" className="nav-button" onClick={() => setAskKey(true)} title="The function key the API needs in Azure">
          {functionKey() ? "API key set" : "API key"}
        </button>
      </nav>
      <main className="content">
        <Outlet />
      </main>
      {askKey ? (
        <Modal
          title="Function key"
          onClose={() => setAskKey(false)}
          footer={
            <>
              <button type="button" onClick={() => { setFunctionKey(null); setAskKey(false); void client.invalidateQueries(); }}>Forget key</button>
              <button type="button" className="primary" onClick={save}>Use this key</button>
            </>
          }
        >
          <p>The REST API refused the request without credentials. Paste a function key of this app (or sign in through the app's Entra ID login). It is kept for this tab only and sent in the <code>x-functions-key</code> header.</p>
          <label className="field">
            <span>Key</span>
            <input type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} />
          </label>
        </Modal>
      ) : null}
    </div>
  );
}
